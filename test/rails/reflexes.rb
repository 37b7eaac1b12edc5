# frozen_string_literal: true

# The fixture's reflexes and the CableReady operations they answer with, shaped like StimulusReflex
# 3.5.5's (see test/fixtures/stimulus-reflex-3.5.5/frames.json): every operation carries the
# reflexId and a camelCased echo of the payload.
module Reflexes
  APPEND = lambda do |db, data|
    db.append_log(Array(data["args"]).first)
    [dispatch(data, "stimulus-reflex:morph-nothing", "nothing", "selector" => nil)]
  end

  TABLE = {
    "Counter#increment" => lambda do |db, data|
      [morph(data, "#count", db.increment_counter.to_s)]
    end,
    "Counter#boom" => ->(_db, _data) { raise "boom" },
    "Log#append" => APPEND,
    "Log#slow" => APPEND # the same effect, after Reflexes.prepare's wait
  }.freeze

  # Seconds of work a reflex does before its transaction (an app calling a slow API), outside every lock:
  # long enough for a resend to arrive while it runs.
  SLOW = { "Log#slow" => 0.3 }.freeze

  module_function

  def prepare(target) = sleep(SLOW.fetch(target, 0))

  # "CounterReflex#increment" and "Counter#increment" name the same reflex, as in StimulusReflex.
  # nil when the target is not a "Class#method" string.
  def normalize(target)
    return nil unless target.is_a?(String) && target.count("#") == 1

    klass, method = target.split("#")
    "#{klass.delete_suffix('Reflex')}##{method}"
  end

  # Raises for an unknown target, like StimulusReflex does.
  def run(db, target, data)
    handler = TABLE.fetch(target) { raise NameError, "no reflex named #{target}" }
    handler.call(db, data)
  end

  def morph(data, selector, html)
    {
      "selector" => selector, "html" => html, "payload" => {}, "childrenOnly" => true,
      "permanentAttributeName" => data["permanentAttributeName"] || "data-reflex-permanent",
      "stimulusReflex" => echo(data, "selector"), "reflexId" => data["id"], "operation" => "morph"
    }
  end

  def dispatch(data, name, morph, extra = {})
    {
      "name" => name, **extra, "payload" => {}, "stimulusReflex" => echo(data, morph),
      "reflexId" => data["id"], "operation" => "dispatchEvent"
    }
  end

  # What a plain StimulusReflex server sends when a reflex raises.
  def error(data, message)
    dispatch(data, "stimulus-reflex:morph-error", "selector", "error" => message)
  end

  def echo(data, morph)
    camelize(data).merge("morph" => morph)
  end

  def camelize(value)
    case value
    when Hash then value.to_h { |k, v| [k.to_s.gsub(/_([a-z])/) { Regexp.last_match(1).upcase }, camelize(v)] }
    when Array then value.map { |v| camelize(v) }
    else value
    end
  end
end
