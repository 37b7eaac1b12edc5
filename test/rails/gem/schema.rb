# frozen_string_literal: true

# The app's tables, created on first boot: the gem's two (from its install generator's own migration
# template), notes (Counter#increment: one per click, with its user and the worker that wrote it) and
# log entries (Log#append). Puma's cluster workers each load the app: one migrates under a file lock.
ActiveRecord::Migration.verbose = false
File.open("#{ENV.fetch('GEM_APP_DB')}.lock", File::RDWR | File::CREAT) do |lock|
  lock.flock(File::LOCK_EX)
  unless ActiveRecord::Base.connection.table_exists?(:cable_courier_lanes)
    migration_version = "[6.1]"
    eval(ERB.new(File.read(File.expand_path("../../../ruby/lib/generators/cable_courier/install/templates/migration.rb.tt", __dir__))).result(binding))
    CreateCableCourierLanes.migrate(:up)
    ActiveRecord::Schema.define do
      create_table(:notes) { |t| t.string :body; t.string :user; t.integer :pid }
      create_table(:log_entries) { |t| t.string :body }
    end
  end
end

class Note < ActiveRecord::Base; end
class LogEntry < ActiveRecord::Base; end
