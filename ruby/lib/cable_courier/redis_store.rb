# frozen_string_literal: true

require "json"
require "securerandom"
require "digest"

module CableCourier
  # Lane state in Redis: one hash per (user, clientId) with a TTL, refreshed on every touch, so idle
  # lanes expire by themselves. Each reflex takes a two-step path through Lua scripts, each atomic:
  # `claim` checks the seq against `last` and marks the lane running (with a lease); `finish` stores the
  # result and advances `last`. A crash between the two leaves `running`, never a false `last`, so the
  # retry runs the reflex again once the lease has passed instead of passing for a duplicate.
  #
  # The Redis server must use `maxmemory-policy noeviction`: an evicted lane would let a replay run
  # twice. (`volatile-lru`, fine for sessions, is not fine here.)
  class RedisStore
    CLAIM = <<~LUA
      local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
      local seq = tonumber(ARGV[1])
      redis.call('PEXPIRE', KEYS[1], ARGV[5])
      if seq <= last then
        return {'dup', tostring(last), redis.call('HGET', KEYS[1], 'r:' .. seq) or false}
      end
      local running = redis.call('HGET', KEYS[1], 'running')
      if running and tonumber(string.match(running, '^(%d+)')) > tonumber(ARGV[3]) then
        return {'busy', tostring(last), false}
      end
      if seq > last + 1 then
        return {'ahead', tostring(last), false}
      end
      redis.call('HSET', KEYS[1], 'running', (tonumber(ARGV[3]) + tonumber(ARGV[4])) .. ':' .. ARGV[2])
      return {'run', tostring(last), false}
    LUA

    FINISH = <<~LUA
      local running = redis.call('HGET', KEYS[1], 'running')
      if not running or string.match(running, ':(.*)$') ~= ARGV[2] then
        return redis.error_reply('cable_courier: lease lost')
      end
      local seq = tonumber(ARGV[1])
      redis.call('HSET', KEYS[1], 'last', seq, 'r:' .. seq, ARGV[3])
      redis.call('HDEL', KEYS[1], 'running', 'r:' .. (seq - tonumber(ARGV[4])))
      redis.call('PEXPIRE', KEYS[1], ARGV[5])
      return 1
    LUA

    # What the channel may do with a claimed lane.
    class Lane
      attr_reader :last

      def initialize(store, key, state, last, stored, token)
        @store = store
        @key = key
        @state = state
        @last = last
        @stored = stored
        @token = token
      end

      # Another worker holds this lane's next seq: look again later.
      def busy? = @state == "busy"

      def result(_seq)
        return :pruned unless @stored

        JSON.parse(@stored)
      end

      def advance(seq, id:, operations: nil, error: nil)
        result = { "id" => id, "operations" => operations || [], "error" => error }.to_json
        @store.finish(@key, seq, @token, result)
        @last = seq
      end
    end

    # lease: seconds a claimed reflex may run before a retry may take it over.
    def initialize(redis:, keep: KEEP, lane_ttl: LANE_TTL, lease: 30, prefix: "cable_courier")
      @redis = redis
      @keep = keep
      @ttl_ms = (lane_ttl * 1000).to_i
      @lease_ms = (lease * 1000).to_i
      @prefix = prefix
    end

    def last(user, client_id)
      @redis.hget(key(user, client_id), "last").to_i
    end

    def within(user, client_id, seq, _id)
      token = SecureRandom.hex(8)
      state, last, stored = @redis.eval(CLAIM, keys: [key(user, client_id)],
                                               argv: [seq, token, now_ms, @lease_ms, @ttl_ms])
      yield Lane.new(self, key(user, client_id), state, last.to_i, stored, token)
    end

    def finish(key, seq, token, result)
      @redis.eval(FINISH, keys: [key], argv: [seq, token, result, @keep, @ttl_ms])
    end

    # No transaction to nest in: the reflex's own writes are its own business (docs/RAILS.md).
    def isolated = yield

    # Lanes expire through their TTL.
    def sweep!(_now = Time.now) = 0

    def key(user, client_id)
      # The user is hashed so no id appears in Redis key names.
      "#{@prefix}:#{Digest::SHA256.hexdigest(user.to_s)[0, 32]}:#{client_id}"
    end

    private

    def now_ms = (Time.now.to_f * 1000).to_i
  end
end
