# frozen_string_literal: true

require "openssl"

# The fixture's "authentication": the user is whatever the `user` cookie (set by GET /?user=…) or a `user`
# query param on the cable URL says, "" when neither does. Good enough to give each user a dedup
# namespace of its own (PROTOCOL.md §4) and a hello `identity` (§6); never do this in an app.
class CourierConnection < ActionCable::Connection::Base
  # Fixed, so a user's identity is stable across restarts, as an app's HMAC key would be.
  SECRET = "cable-courier rails fixture secret"
  MAX_USER = 200

  identified_by :current_user

  # The opaque name the hello carries: never the user id itself. nil for the anonymous user.
  def self.identity(user)
    user.empty? ? nil : OpenSSL::HMAC.hexdigest("SHA256", SECRET, user)[0, 32]
  end

  # nil when the value cannot name a user (not a string, too long, control characters).
  def self.user_from(value)
    return "" if value.nil?
    return nil unless value.is_a?(String) && value.length <= MAX_USER && value.valid_encoding?

    value.match?(/[[:cntrl:]]/) ? nil : value
  end

  def connect
    user = self.class.user_from(requested_user)
    reject_unauthorized_connection if user.nil?
    self.current_user = user
  end

  private

  # The query param wins over the cookie, so a test can open sockets as several users from one place.
  def requested_user
    query = Rack::Utils.parse_query(request.query_string)
    query.key?("user") ? query["user"] : request.cookies["user"]
  rescue StandardError
    false # an unparsable query or cookie names nobody: refused
  end
end
