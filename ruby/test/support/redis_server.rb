# frozen_string_literal: true

require "socket"
require "tmpdir"
require "fileutils"

# A private redis-server for the tests: 127.0.0.1, a free port, started and stopped by its PID.
# Missing redis-server is a failure, never a skip.
module RedisServer
  def self.start
    path = ENV.fetch("PATH", "").split(File::PATH_SEPARATOR).map { |d| File.join(d, "redis-server") }.find { |f| File.executable?(f) }
    raise "redis-server not found: install Debian's redis-server package (scripts/ensure-system.sh does)" unless path

    port = free_port
    dir = Dir.mktmpdir("cable-courier-redis")
    pid = Process.spawn(path, "--bind", "127.0.0.1", "--port", port.to_s, "--save", "", "--appendonly", "no",
                        "--maxmemory-policy", "noeviction", "--dir", dir, out: File::NULL, err: File::NULL)
    wait_for(port)
    Minitest.after_run do
      Process.kill("TERM", pid)
      Process.wait(pid)
      FileUtils.rm_rf(dir)
    end
    port
  end

  def self.free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  def self.wait_for(port, limit = 10)
    deadline = Time.now + limit
    begin
      TCPSocket.new("127.0.0.1", port).close
    rescue SystemCallError
      raise "redis-server did not listen on 127.0.0.1:#{port} within #{limit}s" if Time.now > deadline

      sleep 0.05
      retry
    end
  end
end
