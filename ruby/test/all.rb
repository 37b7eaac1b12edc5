# frozen_string_literal: true

# Every test of the gem in one process (scripts/test.sh runs this): `ruby ruby/test/all.rb`.
Dir[File.join(__dir__, "*_test.rb")].sort.each { |file| require file }
