-- The shop's tables, in their own schema (the runner substitutes the name and recreates it at the
-- start of every demo run). Realistic statements, realistic round-trips; the only simulated part is
-- how long two of them take, which lives in the database itself (sim_delay below) so that the
-- application's SQL stays the SQL a real shop would send.

DROP SCHEMA IF EXISTS :schema CASCADE;
CREATE SCHEMA :schema;
SET search_path = :schema;

CREATE TABLE customers (
  id    serial PRIMARY KEY,
  email text NOT NULL UNIQUE,
  tier  text NOT NULL CHECK (tier IN ('standard', 'silver', 'gold'))
);

CREATE TABLE sessions (
  token       text PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers(id),
  expires_at  timestamptz NOT NULL
);

CREATE TABLE products (
  sku         text PRIMARY KEY,
  name        text NOT NULL,
  price_cents int NOT NULL CHECK (price_cents > 0)
);

CREATE TABLE orders (
  id           bigserial PRIMARY KEY,
  customer_id  int NOT NULL REFERENCES customers(id),
  total_cents  bigint NOT NULL,
  payment_ref  text NOT NULL,
  status       text NOT NULL,
  credit_score int,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_created ON orders (customer_id, created_at DESC);

CREATE TABLE order_items (
  order_id    bigint NOT NULL REFERENCES orders(id),
  sku         text NOT NULL REFERENCES products(sku),
  quantity    int NOT NULL,
  price_cents int NOT NULL
);

-- Simulated server-side time (ms) of the article's database steps. The runner fills this table from
-- the scenario: median, log-normal spread, and a tail.
CREATE TABLE sim_latency (
  name             text PRIMARY KEY,
  median_ms        double precision NOT NULL,
  sigma            double precision NOT NULL,
  tail_probability double precision NOT NULL,
  tail_multiplier  double precision NOT NULL
);

CREATE FUNCTION sim_delay(p_name text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  r  sim_latency;
  ms double precision;
BEGIN
  SELECT * INTO r FROM sim_latency WHERE name = p_name;
  IF NOT FOUND OR r.median_ms <= 0 THEN
    RETURN;
  END IF;
  -- log-normal around the median (Box–Muller), then the occasional tail
  ms := r.median_ms * exp(r.sigma * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()));
  IF random() < r.tail_probability THEN
    ms := ms * r.tail_multiplier;
  END IF;
  PERFORM pg_sleep(ms / 1000.0);
END $$;

-- Session validation (≈100 ms in the article: think of a session store under load, or a join over
-- a large sessions table). Returns nothing for an unknown or expired token.
CREATE FUNCTION validate_session(p_token text) RETURNS TABLE (customer_id int, tier text)
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sim_delay('session');
  RETURN QUERY
    SELECT c.id, c.tier FROM sessions s JOIN customers c ON c.id = s.customer_id
    WHERE s.token = p_token AND s.expires_at > now();
END $$;

-- Writing an order (≈150 ms in the article: index maintenance, constraint checks, synchronous
-- replication on a production-sized table).
CREATE FUNCTION orders_write_cost() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM sim_delay('order_write');
  RETURN NEW;
END $$;
CREATE TRIGGER orders_write_cost BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_write_cost();
