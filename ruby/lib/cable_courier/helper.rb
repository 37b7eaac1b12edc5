# frozen_string_literal: true

module CableCourier
  # View helper: the meta tags the client reads. The identity is the same HMAC the hello carries, so
  # the client can tell when the connection speaks for another user; the id itself never reaches the page.
  module Helper
    def cable_courier_meta_tags(user: CableCourier.view_user.call(self))
      identity = CableCourier.identity(user)
      tags = [action_cable_meta_tag]
      tags << tag.meta(name: "cable-courier-identity", content: identity) if identity
      safe_join(tags, "\n")
    end
  end
end
