using System.Net;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.AspNetCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenVeracruz.Etl.Uploads;
using OpenVeracruz.Platform.Catalog.Uploads;

namespace OpenVeracruz.Tests.Catalog;

/// <summary>
/// Imports that cannot go well: bytes PostgreSQL cannot store, unreadable files, a database that drops the connection,
/// uploads racing for one resource. Each ends in a recorded state (never "running") and names its own version.
/// </summary>
public partial class UploadTests
{
    private static List<(long Row, string Field, string Problem)> Report(JsonElement resource) =>
        Status(resource).GetProperty("report").EnumerateArray()
            .Select(r => (r.GetProperty("row").GetInt64(), r.GetProperty("field").GetString()!, r.GetProperty("problem").GetString()!)).ToList();

    private async Task<string> StateAsync(Guid resource, int version) =>
        await f.ScalarAsync<string>("SELECT state FROM catalog.import_jobs WHERE resource_id = @r AND version = @v", ("r", resource), ("v", version));

    [Fact]
    public async Task Sixteen_parallel_uploads_each_answer_with_the_version_their_own_file_became()
    {
        await InDatasetAsync("prueba-carga-carrera", async (editor, dataset) =>
        {
            static byte[] FileOf(int caller) => Encoding.UTF8.GetBytes($"nombre,lon,lat\nllamada-{caller},-96.1,19.{caller:D2}\n");
            var id = (await CreateAsync(editor, dataset, "puntos.csv", FileOf(0))).GetProperty("id").GetString()!;
            var results = await Task.WhenAll(Enumerable.Range(1, 16).Select(n =>
                UploadAsync(editor, "resource_update", new() { ["id"] = id }, $"puntos-{n}.csv", FileOf(n))));
            var versions = new List<int>();
            for (var n = 1; n <= 16; n++)
            {
                var (status, body) = results[n - 1];
                Assert.True(status == HttpStatusCode.OK, body.ToString());
                var version = Status(body.GetProperty("result")).GetProperty("version").GetInt32();
                versions.Add(version);
                // the version this caller is told about keeps this caller's file
                Assert.Equal(FileOf(n), await f.Http.GetByteArrayAsync($"/api/uploads/{id}/{version}"));
            }
            Assert.Equal(Enumerable.Range(2, 16), versions.Order());
        });
    }

    [Fact]
    public async Task A_nul_byte_in_a_csv_field_is_removed_and_listed_while_the_file_imports()
    {
        await InDatasetAsync("prueba-carga-nul-csv", async (editor, dataset) =>
        {
            var csv = "nombre,lon,lat\nEscuela\0 Norte,-96.1,19.1\nParque,-96.2\0,19.2\nMercado,norte\0,19.3\n";
            var resource = await CreateAsync(editor, dataset, "nul.csv", Encoding.UTF8.GetBytes(csv));
            var layer = Succeeded(resource);
            Assert.Equal(["Escuela Norte", "Parque"], (await DownloadCsvAsync(layer)).Select(r => r["nombre"]).ToArray());
            var report = Report(resource);
            Assert.Contains(report, r => r is { Row: 2, Field: "nombre" } && r.Problem.Contains("NUL"));
            Assert.Contains(report, r => r is { Row: 3, Field: "lon" } && r.Problem.Contains("NUL"));
            Assert.Contains(report, r => r is { Row: 4, Field: "lon" } && r.Problem.Contains("'norte' is not a longitude"));
            Assert.Equal(1, Status(resource).GetProperty("rejected").GetInt32());
        });
    }

    [Fact]
    public async Task A_nul_byte_in_a_geojson_property_is_removed_and_listed_while_the_file_imports()
    {
        await InDatasetAsync("prueba-carga-nul-geojson", async (editor, dataset) =>
        {
            var file = """
                {"type":"FeatureCollection","features":[
                  {"type":"Feature","properties":{"nombre":"Faro\u0000 Norte","cla\u0000ve":"A-1"},"geometry":{"type":"Point","coordinates":[-96.1,19.1]}},
                  {"type":"Feature","properties":{"nombre":"Acuario","clave":"A-2"},"geometry":{"type":"Po\u0000int","coordinates":[-96.2,19.2]}},
                  {"type":"Feature","properties":{"nombre":"Ulúa","clave":"A-3"},"geometry":{"type":"Point","coordinates":[-96.3,19.3]}},
                  {"type":"Feature","properties":{"nombre":"\ud800 sin pareja","clave":"A-4"},"geometry":{"type":"Point","coordinates":[-96.4,19.4]}}
                ]}
                """;
            var resource = await CreateAsync(editor, dataset, "nul.geojson", Encoding.UTF8.GetBytes(file));
            var layer = Succeeded(resource);
            var rows = await DownloadCsvAsync(layer);
            Assert.Equal(["Faro Norte", "Ulúa"], rows.Select(r => r["nombre"]).ToArray());
            Assert.Equal(["A-1", "A-3"], rows.Select(r => r["clave"]).ToArray());
            var report = Report(resource);
            Assert.Contains(report, r => r is { Row: 1, Field: "nombre" } && r.Problem.Contains("NUL"));
            Assert.Contains(report, r => r.Row == 2 && r.Field == "geometry");
            Assert.Contains(report, r => r.Row == 4 && r.Field == "properties");
            Assert.Equal(2, Status(resource).GetProperty("rejected").GetInt32());
            Assert.DoesNotContain(report, r => r.Problem.Contains('\0') || r.Field.Contains('\0'));
        });
    }

    /// <summary>The polygons as a zipped shapefile whose .dbf is not a dBASE file at all.</summary>
    private static (string Folder, byte[] Zip) UnreadableDbf()
    {
        var folder = Ogr("ESRI Shapefile", "manzanas.shp");
        return (folder, Zip(folder, p => !p.EndsWith(".geojson"), p => p.EndsWith(".dbf") ? Encoding.ASCII.GetBytes(new string('x', 700)) : File.ReadAllBytes(p)));
    }

    [Fact]
    public async Task A_shapefile_whose_dbf_cannot_be_read_fails_once_with_a_reason()
    {
        var (folder, zip) = UnreadableDbf();
        await InDatasetAsync("prueba-carga-dbf", async (editor, dataset) =>
        {
            var resource = await CreateAsync(editor, dataset, "manzanas.zip", zip);
            var status = Status(resource);
            Assert.True(status.GetProperty("state").GetString() == "failed", status.ToString());
            var message = status.GetProperty("message").GetString()!;
            Assert.Contains(".dbf", message);
            Assert.Contains("no se puede leer", message);
            Assert.NotNull(status.GetProperty("finished_at").GetString());
            Assert.Equal(0L, await f.ScalarAsync<long>("SELECT count(*) FROM catalog.layers l JOIN catalog.datasets d ON d.id = l.dataset_id WHERE d.name = @n", ("n", dataset)));
        }, folder);
    }

    /// <summary>Runs the import the way Hangfire does: queued in storage, picked by a real server, through its filters.</summary>
    private async Task<List<string>> RunOnHangfireAsync(Guid resource, int version)
    {
        var storage = f.Services.GetRequiredService<JobStorage>();
        var queue = "pruebas_" + Guid.NewGuid().ToString("N")[..8];
        var jobId = new BackgroundJobClient(storage).Enqueue<ImportUploadJob>(queue, j => j.RunAsync(resource, version));
        var options = new BackgroundJobServerOptions
        {
            Queues = [queue], WorkerCount = 1, SchedulePollingInterval = TimeSpan.FromSeconds(1),
            Activator = new AspNetCoreJobActivator(f.Services.GetRequiredService<IServiceScopeFactory>()),
        };
        using (new BackgroundJobServer(options, storage))
        {
            // a retry would show as Scheduled (then Enqueued again): wait for a final state or a retry
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                using var connection = storage.GetConnection();
                if (connection.GetStateData(jobId)?.Name is "Succeeded" or "Failed" or "Scheduled" or "Deleted") break;
                await Task.Delay(200);
            }
        }
        return storage.GetMonitoringApi().JobDetails(jobId).History.Select(h => h.StateName).Reverse().ToList();
    }

    [Fact]
    public async Task Hangfire_runs_an_import_that_can_never_succeed_once_and_it_records_why()
    {
        var (folder, zip) = UnreadableDbf();
        await InDatasetAsync("prueba-carga-hangfire", async (editor, dataset) =>
        {
            // an unreadable file: refused, the job completes
            var dbf = Guid.Parse((await CreateAsync(editor, dataset, "manzanas.zip", zip)).GetProperty("id").GetString()!);
            var states = await RunOnHangfireAsync(dbf, 1);
            Assert.Equal(["Enqueued", "Processing", "Succeeded"], states);
            Assert.Equal("failed", await StateAsync(dbf, 1));

            // a failure that is no fault of the file and will not pass either (the staging table's name is taken by a view):
            // recorded once with its reason, and Hangfire shows it failed without retrying
            var csv = await CreateAsync(editor, dataset, "puntos.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\n"));
            var id = Guid.Parse(csv.GetProperty("id").GetString()!);
            var (schema, table) = UploadedLayers.TableOf(id);
            await using (var block = f.Db.CreateCommand($"CREATE VIEW {schema}.\"{table}__load\" AS SELECT 1 AS x"))
                await block.ExecuteNonQueryAsync();
            try
            {
                states = await RunOnHangfireAsync(id, 1);
                Assert.Equal(["Enqueued", "Processing", "Failed"], states);
                Assert.Equal("failed", await StateAsync(id, 1));
                var message = await f.ScalarAsync<string>("SELECT message FROM catalog.import_jobs WHERE resource_id = @r AND version = 1", ("r", id));
                Assert.Contains("will not be retried", message);
                Assert.Contains("no se reintentará", message);
                // the version imported before stays published
                Assert.Single(await DownloadCsvAsync(Succeeded(csv)));
            }
            finally
            {
                await using var drop = f.Db.CreateCommand($"DROP VIEW IF EXISTS {schema}.\"{table}__load\"");
                await drop.ExecuteNonQueryAsync();
            }
        }, folder);
    }

    [Fact]
    public async Task A_lost_database_connection_is_retried_a_few_times_and_then_recorded_as_failed()
    {
        await InDatasetAsync("prueba-carga-transitoria", async (editor, dataset) =>
        {
            var resource = await CreateAsync(editor, dataset, "puntos.csv", Encoding.UTF8.GetBytes("nombre,lon,lat\nuno,-96.1,19.1\ndos,-96.2,19.2\n"));
            var layer = Succeeded(resource);
            var id = Guid.Parse(resource.GetProperty("id").GetString()!);

            // another import of the resource holds its lock; each time the job waits for it, its connection is cut
            async Task<(int Cuts, Exception? Error)> ImportWhileCuttingAsync(int maxCuts)
            {
                await using var holder = await f.Db.OpenConnectionAsync();
                await using var tx = await holder.BeginTransactionAsync();
                await using (var lockIt = new NpgsqlCommand($"SELECT pg_advisory_xact_lock(hashtextextended('{id}', 0))", holder, tx))
                    await lockIt.ExecuteNonQueryAsync();
                var import = Task.Run(async () =>
                {
                    await using var scope = f.Services.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<ImportUploadJob>().RunAsync(id, 1);
                });
                var (cuts, released) = (0, false);
                var deadline = DateTime.UtcNow.AddMinutes(2);
                while (!import.IsCompleted && DateTime.UtcNow < deadline)
                {
                    if (cuts < maxCuts)
                    {
                        await using var cut = f.Db.CreateCommand("""
                            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%' || @id || '%'
                            """);
                        cut.Parameters.AddWithValue("id", id.ToString());
                        cuts += (int)(long)(await cut.ExecuteScalarAsync())!;
                    }
                    else if (!released)
                    {
                        await tx.RollbackAsync(); // the lock is free: the next attempt goes through
                        released = true;
                    }
                    await Task.Delay(100);
                }
                try { await import; return (cuts, null); }
                catch (Exception e) { return (cuts, e); }
            }

            // cut on every attempt: four attempts, then failed with the reason, the published version untouched
            var (cuts, error) = await ImportWhileCuttingAsync(int.MaxValue);
            Assert.Equal(4, cuts);
            Assert.NotNull(error);
            Assert.Equal("failed", await StateAsync(id, 1));
            var message = await f.ScalarAsync<string>("SELECT message FROM catalog.import_jobs WHERE resource_id = @r AND version = 1", ("r", id));
            Assert.Contains("4 attempts", message);
            Assert.Contains("4 intentos", message);
            Assert.Equal(2, (await DownloadCsvAsync(layer)).Count);

            // cut once: the next attempt imports it
            (cuts, error) = await ImportWhileCuttingAsync(1);
            Assert.Equal(1, cuts);
            Assert.Null(error);
            Assert.Equal("succeeded", await StateAsync(id, 1));
        });
    }
}
