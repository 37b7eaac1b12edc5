# frozen_string_literal: true

# The test's probes into the app (never part of an app):
#   GET /__stats: {"notes": [bodies], "users": [the user of each note], "pids": [the worker that wrote
#     each note], "counter": notes count, "log": [Log#append entries], "runs": {"Counter#increment": n}
#     (every run, rolled back or not), "lanes": {clientId: last} and "clients": {user: {clientId: last}}
#     (ActiveRecord store only)}
#   POST /__reset: empties every table and the runs file.
#   POST /__broadcast?user=: a CableReady envelope of the JSON operations in the body, on that user's
#     StimulusReflex stream.
#   POST /__faults {"failSaves": n}: the next n lane advances of this process raise, as a full disk would.
module Faults
  LOCK = Mutex.new
  @left = 0

  def self.fail_next!(count) = LOCK.synchronize { @left = count }
  def self.take = LOCK.synchronize { @left.positive? && (@left -= 1) >= 0 }

  module Advance
    def advance(...)
      raise Errno::ENOSPC, "cable_courier_results (injected by /__faults)" if Faults.take

      super
    end
  end
end
CableCourier::ActiveRecordStore::Lane.prepend(Faults::Advance) if defined?(CableCourier)

class ProbesController < ActionController::Base

  def stats
    notes = Note.order(:id).pluck(:body, :user, :pid)
    render json: { notes: notes.map(&:first), users: notes.map { |n| n[1] }, pids: notes.map(&:last), counter: notes.size,
                   log: LogEntry.order(:id).pluck(:body), runs: Runs.counts, **lanes }
  end

  def reset
    [Note, LogEntry, *(ar_store? ? [CableCourier::ActiveRecordStore::LaneRecord, CableCourier::ActiveRecordStore::ResultRecord] : [])].each(&:delete_all)
    Runs.reset!
    Faults.fail_next!(0)
    render json: { ok: true }
  end

  def broadcast
    operations = JSON.parse(request.body.read)
    return render(json: { error: "expected a JSON array of operations" }, status: 400) unless operations.is_a?(Array)

    stream = ["StimulusReflex::Channel", params[:user]].reject(&:blank?).join(":")
    ActionCable.server.broadcast(stream, { "cableReady" => true, "operations" => operations, "version" => CableReady::VERSION })
    render json: { ok: true }
  rescue JSON::ParserError => e
    render json: { error: e.message }, status: 400
  end

  def faults
    count = JSON.parse(request.body.read)["failSaves"]
    return render(json: { error: "expected {\"failSaves\": n}" }, status: 400) unless count.is_a?(Integer) && count >= 0

    Faults.fail_next!(count)
    render json: { ok: true }
  rescue JSON::ParserError, NoMethodError, TypeError => e
    render json: { error: e.message }, status: 400
  end

  private

  def ar_store? = defined?(CableCourier) && CableCourier.store.is_a?(CableCourier::ActiveRecordStore)

  def lanes
    return { lanes: {}, clients: {} } unless ar_store?

    rows = CableCourier::ActiveRecordStore::LaneRecord.pluck(:user_key, :client_id, :last)
    clients = rows.group_by(&:first).transform_values { |lanes| lanes.to_h { |_, client, last| [client, last] } }
    { lanes: rows.to_h { |_, client, last| [client, last] }, clients: clients }
  end
end
