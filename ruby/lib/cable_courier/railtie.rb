# frozen_string_literal: true

module CableCourier
  # Prepends the channel module once the app (and StimulusReflex's channel) has loaded.
  class Railtie < Rails::Railtie
    config.after_initialize { CableCourier.install! }
  end
end
