# frozen_string_literal: true

require "fileutils"

# Every run of a reflex, rolled back or not, as a line in a file next to the database: what the tests
# count as "ran once" (a crash or a failed commit rolls back the reflex's rows, not this line).
module Runs
  FILE = "#{ENV.fetch('GEM_APP_DB')}.runs"
  LOCK = Mutex.new

  def self.record(target) = LOCK.synchronize { File.open(FILE, "a") { |f| f.puts(target) } }
  def self.counts = File.exist?(FILE) ? File.readlines(FILE, chomp: true).tally : {}
  def self.reset! = FileUtils.rm_f(FILE)
end

class ApplicationReflex < StimulusReflex::Reflex
  before_reflex { Runs.record("#{self.class.name.delete_suffix('Reflex')}##{method_name}") }
end

class CounterReflex < ApplicationReflex
  BLOCK = ENV["GEM_APP_BLOCK"].to_s

  # Arguments are ignored: load generators send one.
  def increment(*)
    Note.create!(body: element.dataset[:label].to_s, user: connection.user, pid: Process.pid)
    morph "#count", Note.count.to_s
  end

  # Writes, then waits while the GEM_APP_BLOCK flag file exists (a test kills puma meanwhile).
  def slow
    increment
    return if BLOCK.empty? || !File.exist?(BLOCK)

    FileUtils.touch("#{BLOCK}.entered")
    deadline = Time.now + 60
    sleep 0.02 while File.exist?(BLOCK) && Time.now < deadline
  end

  def boom = raise("boom")
end

class LogReflex < ApplicationReflex
  SLOW = 0.3 # seconds Log#slow works first (an app calling a slow API): long enough for a resend to arrive

  def append(entry)
    LogEntry.create!(body: entry.to_s)
    morph :nothing
  end

  def slow(entry)
    sleep SLOW
    append(entry)
  end
end
