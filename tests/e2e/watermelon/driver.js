// Drives WatermelonDB "devices" for tests/e2e/test_watermelon_sync.py: one JSON command per stdin
// line, one JSON answer per stdout line. Each device is a real Database (LokiJS adapter, in memory)
// that syncs with sync.js against the live server. WatermelonDB's own console output is captured
// and returned with each answer, so a test can assert the client logged no sync error.
const readline = require('readline')
const { Database, Model, appSchema, tableSchema } = require('@nozbe/watermelondb')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { schemaMigrations, createTable, addColumns } = require('@nozbe/watermelondb/Schema/migrations')
const { hasUnsyncedChanges } = require('@nozbe/watermelondb/sync')
const { LokiMemoryAdapter } = require('lokijs')
const app = require('./schema')
const { syncWithRetry, twitchlogSync } = require('./sync')

const captured = []
for (const level of ['log', 'warn', 'error', 'debug', 'info']) {
  console[level] = (...args) => {
    captured.push({ level, message: args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ') })
  }
}

const devices = {}
const stores = {} // memory "disks" that outlive a device, so an app can be upgraded in place

function schemaFrom(description) {
  if (!description) return app.schema
  return appSchema({
    version: description.version,
    tables: description.tables.map((table) => tableSchema(table)),
  })
}

// The app's shipped migrations up to the schema's version (an older release had only those), then
// the ones a test adds after them.
function migrationsFrom(list, version) {
  if (!list && version === app.schema.version) return app.migrations
  const shipped = app.migrations.sortedMigrations.filter((migration) => migration.toVersion <= version)
  return schemaMigrations({
    migrations: [...shipped, ...(list || []).map(({ toVersion, steps }) => ({
      toVersion,
      steps: steps.map((step) =>
        step.createTable ? createTable(step.createTable) : addColumns(step.addColumns),
      ),
    }))],
  })
}

function lokiOf(database) {
  return database.adapter.underlyingAdapter._dispatcher._worker._bridge.driver.loki
}

// Records every request; `beforeFirstPush` runs once, just before the first push leaves (another
// device's change landing between this device's pull and push: how a sync conflict happens).
function recordingFetch(requests, beforeFirstPush) {
  let pending = beforeFirstPush
  return async (url, options = {}) => {
    if (options.method === 'POST' && pending) {
      const run = pending
      pending = null
      requests.push({ interleaved: await run() })
    }
    const response = await fetch(url, options)
    const entry = { method: options.method || 'GET', url: String(url), status: response.status }
    if (options.body) {
      const body = JSON.parse(options.body)
      entry.counts = Object.fromEntries(
        Object.entries(body).map(([table, c]) => [table, c.created.length + c.updated.length + c.deleted.length]),
      )
      entry.body = body
    }
    requests.push(entry)
    return response
  }
}

const commands = {
  async open({ device, token, baseUrl, schema, migrations, store }) {
    const appSchemaAt = schemaFrom(schema)
    const adapterOptions = {
      schema: appSchemaAt,
      migrations: migrationsFrom(migrations, appSchemaAt.version),
      useWebWorker: false,
      useIncrementalIndexedDB: false,
      dbName: store || device,
    }
    if (store) {
      stores[store] = stores[store] || new LokiMemoryAdapter()
      adapterOptions._testLokiAdapter = stores[store]
    }
    const adapter = new LokiJSAdapter(adapterOptions)
    const modelClasses = Object.keys(adapterOptions.schema.tables).map((name) => {
      const ModelClass = class extends Model {}
      ModelClass.table = name
      ModelClass.associations = {}
      return ModelClass
    })
    const database = new Database({ adapter, modelClasses })
    await database.get(modelClasses[0].table).query().fetchCount() // waits for setUp and migrations
    devices[device] = { database, token, baseUrl }
    return { version: adapterOptions.schema.version }
  },

  async close({ device }) {
    const loki = lokiOf(devices[device].database)
    await new Promise((resolve, reject) => loki.saveDatabase((error) => (error ? reject(error) : resolve())))
    delete devices[device]
    return {}
  },

  async create({ device, table, raw }) {
    const { database } = devices[device]
    await database.write(async () => {
      const collection = database.get(table)
      await database.batch(collection.prepareCreateFromDirtyRaw({ ...raw, _status: 'created', _changed: '' }))
    })
    return {}
  },

  async update({ device, table, id, values }) {
    const { database } = devices[device]
    await database.write(async () => {
      const record = await database.get(table).find(id)
      await record.update((r) => {
        for (const [column, value] of Object.entries(values)) r._setRaw(column, value)
      })
    })
    return {}
  },

  async delete({ device, table, id }) {
    const { database } = devices[device]
    await database.write(async () => {
      const record = await database.get(table).find(id)
      await record.markAsDeleted()
    })
    return {}
  },

  async sync({ device, retry = true, interleave }) {
    const { database, token, baseUrl } = devices[device]
    const requests = []
    const beforeFirstPush = interleave ? () => commands[interleave.cmd](interleave) : null
    const log = {}
    const started = Date.now()
    try {
      await (retry ? syncWithRetry : twitchlogSync)({ database, baseUrl, token, log, fetch: recordingFetch(requests, beforeFirstPush) })
      return { synced: true, ms: Date.now() - started, requests, resolvedConflicts: log.resolvedConflicts || [] }
    } catch (error) {
      return { synced: false, error: String(error && error.message), requests }
    }
  },

  async dump({ device }) {
    const { database } = devices[device]
    const tables = {}
    for (const table of Object.keys(database.schema.tables)) {
      const records = await database.get(table).query().fetch()
      tables[table] = records.map((r) => ({ ...r._raw })).sort((a, b) => (a.id < b.id ? -1 : 1))
    }
    return { tables, unsynced: await hasUnsyncedChanges({ database }) }
  },

  async schema() {
    // The committed app schema, for the test that checks it against the server's registry.
    return {
      version: app.schema.version,
      tables: Object.values(app.schema.tables).map((t) => ({
        name: t.name,
        columns: t.columnArray.map(({ name, type, isOptional, isIndexed }) => ({
          name,
          type,
          ...(isOptional ? { isOptional } : {}),
          ...(isIndexed ? { isIndexed } : {}),
        })),
      })),
      migrations: {
        minVersion: app.migrations.minVersion,
        maxVersion: app.migrations.maxVersion,
        steps: app.migrations.sortedMigrations.map(({ toVersion, steps }) => ({
          toVersion,
          steps: steps.map((step) =>
            step.type === 'create_table'
              ? { createTable: step.schema.name }
              : { addColumns: { table: step.table, columns: step.columns.map((column) => column.name) } },
          ),
        })),
      },
    }
  },
}

const lines = readline.createInterface({ input: process.stdin })
let queue = Promise.resolve()
lines.on('line', (line) => {
  queue = queue.then(async () => {
    const command = JSON.parse(line)
    captured.length = 0
    let answer
    try {
      answer = { ok: true, ...(await commands[command.cmd](command)) }
    } catch (error) {
      answer = { ok: false, error: String((error && error.stack) || error) }
    }
    answer.console = captured.splice(0)
    process.stdout.write(`${JSON.stringify(answer)}\n`)
  })
})
lines.on('close', () => queue.then(() => process.exit(0)))
