// The app's WatermelonDB schema at version 1, as a Twitchlog app declares it. It mirrors the
// server's table registry (diary/tables.py): tests/e2e/test_watermelon_sync.py checks the two
// are the same, so they cannot drift. Copy it into the app; add a version with schemaMigrations.
const { appSchema, tableSchema } = require('@nozbe/watermelondb')
const { schemaMigrations } = require('@nozbe/watermelondb/Schema/migrations')

const schema = appSchema({
  version: 1,
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
      ],
    }),
    tableSchema({
      name: 'caffeine_intakes',
      columns: [
        { name: 'consumed_at', type: 'number' },
        { name: 'drink', type: 'string' }, // catalogue key, or '' with mg given
        { name: 'servings', type: 'number' },
        { name: 'mg', type: 'number', isOptional: true }, // null: the server fills it from the drink
      ],
    }),
    tableSchema({
      name: 'sleep_logs',
      columns: [
        { name: 'bed_at', type: 'number' },
        { name: 'woke_at', type: 'number' },
        { name: 'quality', type: 'number', isOptional: true },
      ],
    }),
    tableSchema({
      name: 'stress_logs',
      columns: [
        { name: 'recorded_at', type: 'number' },
        { name: 'level', type: 'number' },
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
      ],
    }),
    tableSchema({
      name: 'exercise_sessions',
      columns: [
        { name: 'started_at', type: 'number' },
        { name: 'duration_min', type: 'number' },
        { name: 'intensity', type: 'string' },
        { name: 'kind', type: 'string' },
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
  ],
})

// Every migration the app ever shipped stays here (WatermelonDB needs them for migration syncs).
const migrations = schemaMigrations({ migrations: [] })

module.exports = { schema, migrations }
