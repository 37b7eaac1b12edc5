# frozen_string_literal: true

module CableCourier
  VERSION = "0.1.0" # kept equal to package.json's version
end
