# frozen_string_literal: true

# GET /: the counter page with our client (the IIFE from /dist) started with the test's options.
class PagesController < ActionController::Base
  PAGE = <<~HTML
    <!doctype html>
    <html>
      <head>
        <meta charset="utf-8">
        %<meta>s
        <script src="/dist/cable-courier.iife.min.js"></script>
      </head>
      <body>
        <p>User: <span id="user">%<user>s</span></p>
        <p>Count: <span id="count">%<count>d</span></p>
        <button id="increment" data-reflex="click->Counter#increment" data-label="click">increment</button>
        <button id="slow" data-reflex="click->Counter#slow" data-label="slow">slow</button>
        <script>
          window.courier = CableCourier.start(%<options>s);
          // A stale answer (a replay of a run whose answer this page missed) is not applied: the page
          // re-renders its count from the server, as a Turbo replace visit would.
          // A fetch cut by the network is tried again.
          const rerender = async (tries = 50) => {
            try {
              const html = await (await fetch(location.href, { cache: "no-store" })).text();
              const fresh = new DOMParser().parseFromString(html, "text/html").querySelector("#count");
              // This app's count only grows: a render older than a morph applied meanwhile is dropped.
              const shown = document.querySelector("#count");
              if (fresh && Number(fresh.textContent) > Number(shown.textContent)) shown.textContent = fresh.textContent;
            } catch (error) {
              if (tries > 1) setTimeout(() => rerender(tries - 1), 100); else throw error;
            }
          };
          document.addEventListener("courier:stale", () => rerender());
        </script>
      </body>
    </html>
  HTML

  # ?user=alice logs in as alice (the `user` cookie), ?user= logs out; otherwise the cookie names the user.
  def show
    user = params.key?(:user) ? params[:user].to_s : cookies[:user].to_s
    if params.key?(:user)
      user.empty? ? cookies.delete(:user) : cookies[:user] = user
    end
    meta = defined?(CableCourier) ? helpers.cable_courier_meta_tags(user: user) : helpers.action_cable_meta_tag
    html = format(PAGE, count: Note.count, meta: meta, user: ERB::Util.html_escape(user), options: options.to_json)
    response.headers["Cache-Control"] = "no-store"
    render html: html.html_safe
  end

  private

  # The test's start() options (JSON in ?options=), e.g. a short answerTimeout.
  def options
    parsed = JSON.parse(params[:options].to_s.presence || "{}")
    parsed.is_a?(Hash) ? parsed.slice("answerTimeout", "reconnectMax", "debug") : {}
  rescue JSON::ParserError
    {}
  end
end
