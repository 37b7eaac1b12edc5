# frozen_string_literal: true

module CableCourier
  # Prepends the channel module whenever the app (and StimulusReflex's channel) has (re)loaded.
  class Railtie < Rails::Railtie
    config.to_prepare { CableCourier.install! } # again after each code reload

    initializer "cable_courier.helper" do
      ActiveSupport.on_load(:action_view) { include CableCourier::Helper }
    end
  end
end
