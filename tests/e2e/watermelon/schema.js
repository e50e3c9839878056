// The app's WatermelonDB schema at version 3, as a Twitchlog app declares it. It mirrors the
// server's table registry (diary/tables.py): tests/e2e/test_watermelon_sync.py checks the two
// are the same, so they cannot drift. Copy it into the app; add a version with schemaMigrations.
const { appSchema, tableSchema } = require('@nozbe/watermelondb')
const { schemaMigrations, createTable, addColumns } = require('@nozbe/watermelondb/Schema/migrations')

// Version 2: a self-experiment's schedule, written by the server, pulled by the app (read-only).
const EXPERIMENT_TABLES = [
  {
    name: 'experiments',
    columns: [
      { name: 'trigger', type: 'string' },
      { name: 'label', type: 'string' },
      { name: 'start_date', type: 'string' }, // YYYY-MM-DD
      { name: 'end_date', type: 'string' },
      { name: 'status', type: 'string' }, // active | stopped | completed
      { name: 'stopped_on', type: 'string', isOptional: true },
    ],
  },
  {
    name: 'experiment_days',
    columns: [
      { name: 'experiment_id', type: 'string', isIndexed: true },
      { name: 'day', type: 'string' }, // YYYY-MM-DD
      { name: 'assignment', type: 'string' }, // with | without
      { name: 'label', type: 'string' }, // "a caffeine-free day", shown as is
      { name: 'instruction', type: 'string' },
    ],
  },
]

// Version 3: the day check-in ("I kept my diary today"), one live per day: a second one for the
// same day replaces the first on the server, and every device drops the first on its next pull.
const DAY_CHECKINS = {
  name: 'day_checkins',
  columns: [
    { name: 'day', type: 'string' }, // the phone's local date, YYYY-MM-DD
    { name: 'no_twitches', type: 'boolean' },
    { name: 'kept_plan', type: 'boolean', isOptional: true }, // during an experiment; null: not said
    { name: 'utc_offset_min', type: 'number', isOptional: true },
  ],
}
// Version 3 also gave every timed table the phone's UTC offset when the entry was logged
// (-new Date().getTimezoneOffset()), so each entry's day is the day where the person was.
const OFFSET_TABLES = [
  'episodes',
  'caffeine_intakes',
  'sleep_logs',
  'stress_logs',
  'medication_doses',
  'exercise_sessions',
  'tremor_recordings',
]

const schema = appSchema({
  version: 3,
  tables: [
    tableSchema({
      name: 'episodes',
      columns: [
        { name: 'started_at', type: 'number' }, // epoch ms
        { name: 'duration_s', type: 'number' },
        { name: 'body_sites', type: 'string' }, // @json: ["left_index", ...]
        { name: 'character', type: 'string' },
        { name: 'intensity', type: 'number' },
        { name: 'context', type: 'string' }, // '' when not given
        { name: 'symptoms', type: 'string' }, // @json: [] when none
        { name: 'notes', type: 'string', isOptional: true }, // null when no note was written
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
      ],
    }),
    tableSchema({
      name: 'caffeine_intakes',
      columns: [
        { name: 'consumed_at', type: 'number' },
        { name: 'drink', type: 'string' }, // catalogue key, or '' with mg given
        { name: 'servings', type: 'number' },
        { name: 'mg', type: 'number', isOptional: true }, // null: the server fills it from the drink
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
      ],
    }),
    tableSchema({
      name: 'sleep_logs',
      columns: [
        { name: 'bed_at', type: 'number' },
        { name: 'woke_at', type: 'number' },
        { name: 'quality', type: 'number', isOptional: true },
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
      ],
    }),
    tableSchema({
      name: 'stress_logs',
      columns: [
        { name: 'recorded_at', type: 'number' },
        { name: 'level', type: 'number' },
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
      ],
    }),
    tableSchema({
      name: 'medications',
      columns: [
        { name: 'name', type: 'string' },
        { name: 'catalogue_key', type: 'string' },
        { name: 'drug_class', type: 'string' }, // read-only: the server derives it from the name
        { name: 'matched_key', type: 'string' }, // read-only: the catalogue medicine the name matched
        { name: 'dose', type: 'string' },
        { name: 'started_on', type: 'string', isOptional: true }, // YYYY-MM-DD
        { name: 'stopped_on', type: 'string', isOptional: true },
        { name: 'as_needed', type: 'boolean' },
      ],
    }),
    tableSchema({
      name: 'medication_doses',
      columns: [
        { name: 'medication_id', type: 'string', isIndexed: true },
        { name: 'taken_at', type: 'number' },
        { name: 'amount', type: 'string' },
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
      ],
    }),
    tableSchema({
      name: 'exercise_sessions',
      columns: [
        { name: 'started_at', type: 'number' },
        { name: 'duration_min', type: 'number' },
        { name: 'intensity', type: 'string' },
        { name: 'kind', type: 'string' },
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
      ],
    }),
    tableSchema({
      name: 'tremor_recordings',
      columns: [
        { name: 'recorded_at', type: 'number' },
        { name: 'hand', type: 'string' },
        { name: 'posture', type: 'string' },
        { name: 'sample_rate_hz', type: 'number' },
        { name: 'samples', type: 'string' }, // @json: {"x": [...], "y": [...], "z": [...]}
        { name: 'utc_offset_min', type: 'number', isOptional: true }, // the phone's UTC offset (min); v3
        // Written by the server's analysis; null until it has run.
        { name: 'analysed_at', type: 'number', isOptional: true },
        { name: 'dominant_hz', type: 'number', isOptional: true },
        { name: 'power', type: 'number', isOptional: true },
        { name: 'rhythmicity', type: 'number', isOptional: true },
        { name: 'rhythmic', type: 'boolean', isOptional: true },
        { name: 'amplitude', type: 'number', isOptional: true },
        { name: 'description', type: 'string' },
      ],
    }),
    tableSchema({
      name: 'lab_results',
      columns: [
        { name: 'taken_on', type: 'string' }, // YYYY-MM-DD
        { name: 'analyte', type: 'string' },
        { name: 'value', type: 'number' },
        { name: 'unit', type: 'string' },
        { name: 'reference_low', type: 'number', isOptional: true },
        { name: 'reference_high', type: 'number', isOptional: true },
      ],
    }),
    tableSchema(DAY_CHECKINS),
    ...EXPERIMENT_TABLES.map((table) => tableSchema(table)),
  ],
})

// Every migration the app ever shipped stays here (WatermelonDB needs them for migration syncs).
const migrations = schemaMigrations({
  migrations: [
    {
      toVersion: 3,
      steps: [
        createTable(DAY_CHECKINS),
        ...OFFSET_TABLES.map((table) =>
          addColumns({ table, columns: [{ name: 'utc_offset_min', type: 'number', isOptional: true }] }),
        ),
      ],
    },
    { toVersion: 2, steps: EXPERIMENT_TABLES.map((table) => createTable(table)) },
  ],
})

module.exports = { schema, migrations }
