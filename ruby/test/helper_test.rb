# frozen_string_literal: true

require_relative "test_helper"

class HelperTest < ActionView::TestCase
  include ActionCable::Helpers::ActionCableHelper # what ActionCable's engine gives every view
  include CableCourier::Helper

  def test_meta_tags_carry_the_cable_url_and_the_hellos_identity_never_the_id
    html = cable_courier_meta_tags(user: 42)
    assert_includes html, %(name="action-cable-url")
    identity = CableCourier.identity(42)
    assert_includes html, %(<meta name="cable-courier-identity" content="#{identity}")
    refute_match(/content="42"/, html)
  end

  def test_no_identity_tag_without_a_user
    refute_includes cable_courier_meta_tags(user: nil), "cable-courier-identity"
  end

  def test_views_get_the_helper
    assert ActionView::Base.include?(CableCourier::Helper)
  end
end
