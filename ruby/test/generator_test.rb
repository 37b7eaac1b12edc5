# frozen_string_literal: true

require_relative "test_helper"
require "rails/generators/test_case"
require "generators/cable_courier/install/install_generator"

class InstallGeneratorTest < Rails::Generators::TestCase
  tests CableCourier::Generators::InstallGenerator
  destination File.join(DB_DIR, "generated-app")
  setup :prepare_destination

  def test_initializer_migration_and_importmap_pin
    FileUtils.mkdir_p(File.join(destination_root, "config"))
    File.write(File.join(destination_root, "config/importmap.rb"), %(pin "application"\n))
    FileUtils.mkdir_p(File.join(destination_root, "app/javascript"))
    File.write(File.join(destination_root, "app/javascript/application.js"), %(import "controllers"\n))
    run_generator

    assert_file "config/initializers/cable_courier.rb", /CableCourier.identify = ->\(connection\)/
    assert_migration "db/migrate/create_cable_courier_lanes.rb", /create_table :cable_courier_lanes/
    assert_file "config/importmap.rb", /pin "cable-courier"/
    assert_file "app/javascript/application.js", /import \{ start \} from "cable-courier"/
  end

  def test_bundler_app_gets_an_import_and_no_pin
    FileUtils.mkdir_p(File.join(destination_root, "app/javascript"))
    File.write(File.join(destination_root, "app/javascript/application.js"), "")
    run_generator
    assert_no_file "config/importmap.rb"
    assert_file "app/javascript/application.js", /start\(\)/
  end
end
