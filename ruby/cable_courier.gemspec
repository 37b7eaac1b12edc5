# frozen_string_literal: true

require_relative "lib/cable_courier/version"

Gem::Specification.new do |s|
  s.name = "cable_courier"
  s.version = CableCourier::VERSION
  s.summary = "Exactly-once StimulusReflex reflexes for the cable-courier client"
  s.description = "Prepends the cable-courier acknowledgement extension (docs/PROTOCOL.md §4) into the unmodified StimulusReflex::Channel, with lane state in ActiveRecord."
  s.authors = ["cable-courier contributors"]
  s.license = "MIT"
  s.files = Dir["lib/**/*", "../LICENSE"]
  s.require_paths = ["lib"]
  s.required_ruby_version = ">= 3.1"
  s.add_dependency "actioncable", ">= 6.1"
  s.add_dependency "actionpack", ">= 6.1"
  s.add_dependency "activerecord", ">= 6.1"
  s.add_dependency "activesupport", ">= 6.1"
  s.add_dependency "stimulus_reflex", "~> 3.5"
end
