# frozen_string_literal: true

require "rails/generators"
require "rails/generators/active_record"

module CableCourier
  module Generators
    # `rails g cable_courier:install`: the initializer, the lanes migration, and the client's JS line.
    class InstallGenerator < Rails::Generators::Base
      include ActiveRecord::Generators::Migration
      source_root File.expand_path("templates", __dir__)

      def create_initializer
        template "initializer.rb", "config/initializers/cable_courier.rb"
      end

      def create_migration_file
        migration_template "migration.rb.tt", File.join(db_migrate_path, "create_cable_courier_lanes.rb")
      end

      # importmap apps get a pin; bundler apps an import in their entry point.
      def add_javascript
        if File.exist?(File.join(destination_root, "config/importmap.rb"))
          append_to_file "config/importmap.rb", %(pin "cable-courier", to: "cable-courier/bundle"\n)
        end
        entry = %w[app/javascript/application.js app/javascript/packs/application.js].find { |f| File.exist?(File.join(destination_root, f)) }
        if entry
          append_to_file entry, %(import { start } from "cable-courier"\nstart()\n)
        else
          say "Add `import { start } from \"cable-courier\"; start()` to your JavaScript entry point.", :yellow
        end
      end

      private

      def migration_version = "[#{ActiveRecord::VERSION::MAJOR}.#{ActiveRecord::VERSION::MINOR}]"
    end
  end
end
