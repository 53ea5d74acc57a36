-- Wakes a waiting outbox relay (platform/outbox/relay.ts) when events commit, instead of the relay
-- polling every 200 ms while nothing happens. A relay that found nothing to publish holds, on its
-- session, the advisory lock (72710, hashtext(topic)) of each topic it publishes while it LISTENs
-- on pasar_outbox. A transaction that adds an event tries to share its topic's lock: if it cannot,
-- a relay waits for that topic, and the transaction notifies it with the topic (delivered at
-- commit, once per topic and transaction). If it can, it holds its share until it ends, so no relay
-- can start waiting before that transaction's rows are visible to it; and nothing is notified
-- while the relay is busy, so event-writing commits are not serialized by NOTIFY's commit-time
-- lock under load, nor by a relay waiting for other topics (a test's relay of its own topic).
CREATE OR REPLACE FUNCTION outbox.wake_waiting_relay() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT pg_try_advisory_xact_lock_shared(72710, hashtext(NEW.topic)) THEN
    PERFORM pg_notify('pasar_outbox', NEW.topic);
  END IF;
  RETURN NULL;
END
$$;

DROP TRIGGER IF EXISTS events_wake_relay ON outbox.events;
CREATE TRIGGER events_wake_relay AFTER INSERT ON outbox.events
  FOR EACH ROW EXECUTE FUNCTION outbox.wake_waiting_relay();
