-- The booking site reads a week of busy times for all of a service's
-- professionals at once (ficha_store BookingStore::busy_of). With the end
-- and the state in the index, that read and the overlap checks are served
-- from the index alone, without visiting each booking's row. It starts with
-- bookings_by_staff's columns, so it takes that index's place.
CREATE INDEX bookings_by_staff_span ON bookings (business_id, staff_id, starts_at, ends_at, state);
DROP INDEX bookings_by_staff;
