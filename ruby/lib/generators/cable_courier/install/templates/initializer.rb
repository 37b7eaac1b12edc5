# frozen_string_literal: true

# cable_courier: exactly-once StimulusReflex reflexes (docs/RAILS.md).

# The user a connection speaks for; reflex lanes are namespaced by it. Keep it in step with view_user.
CableCourier.identify = ->(connection) { connection.current_user&.id }
CableCourier.view_user = ->(view) { view.current_user&.id }

# Lane state: ActiveRecord (the default; table from this generator's migration) or Redis
# (maxmemory-policy noeviction, see docs/RAILS.md):
# CableCourier.store = CableCourier::RedisStore.new(redis: Redis.new(url: ENV.fetch("REDIS_URL")))
