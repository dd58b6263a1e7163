using System.Buffers.Binary;
using System.Net;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// Damaged or foreign data stops the start with one line naming the problem and exit 1, never a stack trace and
/// never a silent start that papers over it.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class DamagedDataTests : IDisposable
{
    private readonly string _root = TempPaths.NewDirectory("damaged");

    private string Data => Path.Combine(_root, "data");

    private string Database => Path.Combine(Data, "agentfunctions.db");

    public void Dispose()
    {
        // An unreadable folder left by a failed test would stop the clean-up.
        foreach (var directory in Directory.GetDirectories(_root, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        TempPaths.TryDelete(_root);
    }

    [Fact]
    public async Task An_empty_database_beside_existing_artifacts_stops_the_start_unless_adoption_is_asked_for()
    {
        await MakeDataAsync(tasks: 3);
        File.Delete(Database);
        File.WriteAllBytes(Database, []);

        var output = await StartRefusedAsync();

        Assert.Contains($"the database {Database} knows no task, but {Path.Combine(Data, "artifacts")} holds the artifacts of 3", output, StringComparison.Ordinal);
        Assert.Contains("--Standalone:AdoptOrphanArtifacts true", output, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(Database).Length);

        // The operator says the files may stay: the server starts, empty.
        await using var adopted = await StartAsync(new Dictionary<string, string> { ["Standalone:AdoptOrphanArtifacts"] = "true" });
        using var missing = await adopted.Client.GetAsync("api/tasks/t-0");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task A_missing_database_beside_existing_artifacts_stops_the_start()
    {
        await MakeDataAsync(tasks: 2);
        File.Delete(Database);

        var output = await StartRefusedAsync();

        Assert.Contains("knows no task, but", output, StringComparison.Ordinal);
        Assert.False(File.Exists(Database));
    }

    [Fact]
    public async Task A_truncated_database_stops_the_start_naming_the_damage()
    {
        await MakeDataAsync(tasks: 300);
        using (var file = new FileStream(Database, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        var output = await StartRefusedAsync();

        Assert.Contains($"the database {Database} is damaged", output, StringComparison.Ordinal);
        Assert.Contains("Restore it from a backup", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_database_stops_the_start_also_when_the_quick_check_is_turned_off()
    {
        await MakeDataAsync(tasks: 300);
        using (var file = new FileStream(Database, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        var output = await StartRefusedAsync(settings: new() { ["Standalone:QuickCheckAtStart"] = "false" });

        Assert.Contains($"the database {Database} is damaged (the file is ", output, StringComparison.Ordinal);
        Assert.Contains("it was cut short", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_cut_short_by_a_crash_is_finished_at_the_start_and_loses_nothing()
    {
        await MakeDataAsync(tasks: 300);
        var crashed = Path.Combine(_root, "crashed");
        Directory.CreateDirectory(crashed);

        // Another connection grows the database in its log; a copy taken while it is open is what a kill leaves.
        using (var connection = new SqliteConnection($"Data Source={Database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                PRAGMA wal_autocheckpoint = 0;
                CREATE TABLE growth (bytes BLOB);
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) INSERT INTO growth SELECT randomblob(3000) FROM n;
                """;
            command.ExecuteNonQuery();
            foreach (var file in Directory.GetFiles(Data, "agentfunctions.db*"))
            {
                File.Copy(file, Path.Combine(crashed, Path.GetFileName(file)));
            }
        }

        // The checkpoint had copied page 1 from the log (it goes in page order) when the process died.
        var database = Path.Combine(crashed, "agentfunctions.db");
        var pageOne = LastLoggedCopyOfPageOne(database + "-wal");
        using (var file = new FileStream(database, FileMode.Open))
        {
            file.Write(pageOne);
            Assert.True(file.Length < (long)BinaryPrimitives.ReadUInt32BigEndian(pageOne.AsSpan(28)) * pageOne.Length, "the header should count pages past the file's end");
        }

        Directory.Delete(Data, recursive: true);
        Directory.Move(crashed, Data);

        await using var server = await StartAsync();

        Assert.Equal(AgentTaskStatus.Completed, (await server.WaitForAsync("t-299")).State);
        using var result = await server.Client.GetAsync("api/tasks/t-0/result");
        Assert.Equal(HttpStatusCode.OK, result.StatusCode);
    }

    /// <summary>The newest frame of page 1 in a write-ahead log (https://www.sqlite.org/fileformat2.html#walformat).</summary>
    private static byte[] LastLoggedCopyOfPageOne(string log)
    {
        var bytes = File.ReadAllBytes(log);
        var pageSize = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
        byte[]? last = null;
        for (var frame = 32; frame + 24 + pageSize <= bytes.Length; frame += 24 + pageSize)
        {
            if (BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(frame)) == 1)
            {
                last = bytes.AsSpan(frame + 24, pageSize).ToArray();
            }
        }

        Assert.NotNull(last);
        return last;
    }

    [Fact]
    public async Task A_sound_database_starts_without_the_quick_check_when_it_is_turned_off()
    {
        await MakeDataAsync(tasks: 20);

        await using var server = await StartAsync(new() { ["Standalone:QuickCheckAtStart"] = "false", ["Logging:LogLevel:AgentFunctions"] = "Information" });

        Assert.Equal(AgentTaskStatus.Completed, (await server.WaitForAsync("t-19")).State);
        Assert.Contains("PRAGMA quick_check skipped (Standalone:QuickCheckAtStart is false)", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_with_damaged_pages_stops_the_start_after_the_integrity_check()
    {
        await MakeDataAsync(tasks: 300);

        // The header and the schema stay intact, so opening works; pages further in are overwritten.
        using (var file = new FileStream(Database, FileMode.Open))
        {
            file.Position = file.Length / 2;
            var noise = new byte[16 * 4096];
            new Random(7).NextBytes(noise);
            file.Write(noise);
        }

        var output = await StartRefusedAsync();

        Assert.Contains($"the database {Database} is damaged", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Random_bytes_as_the_database_stop_the_start()
    {
        Directory.CreateDirectory(Data);
        var noise = new byte[64 * 1024];
        new Random(3).NextBytes(noise);
        await File.WriteAllBytesAsync(Database, noise);

        var output = await StartRefusedAsync();

        Assert.Contains($"the database {Database} is not an SQLite database", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_data_directory_that_is_a_file_stops_the_start()
    {
        await File.WriteAllTextAsync(Data, "not a folder");

        var output = await StartRefusedAsync();

        Assert.Contains($"Standalone:DataDirectory: {Data} is a file, not a folder", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_path_that_is_a_folder_stops_the_start()
    {
        Directory.CreateDirectory(Database);

        var output = await StartRefusedAsync();

        Assert.Contains($"the database path {Database} is a folder, not a database file", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_from_a_newer_version_stops_the_start()
    {
        await MakeDataAsync(tasks: 1);
        Execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'");

        var output = await StartRefusedAsync();

        Assert.Contains($"the database {Database} has schema version 99, written by a newer AgentFunctions; this build reads versions up to 3", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_database_of_schema_version_1_is_brought_up_to_date_and_keeps_its_tasks()
    {
        await MakeDataAsync(tasks: 2);
        Execute("""
            DROP TABLE canceled_leases; DROP TABLE role_counters; ALTER TABLE work DROP COLUMN lease_ms;
            UPDATE meta SET value = '1' WHERE key = 'schema_version';
            """);

        await using var server = await StartAsync();

        Assert.Equal(AgentTaskStatus.Completed, (await server.GetTaskAsync("t-1")).State);
        await server.SubmitAsync("""{ "id": "after-migration", "to": ["implementation"], "instructions": "x" }""");
        Assert.Equal(AgentTaskStatus.Completed, (await server.WaitForAsync("after-migration")).State);
    }

    [Fact]
    public async Task An_unreadable_data_directory_stops_the_start()
    {
        Directory.CreateDirectory(Data);
        File.SetUnixFileMode(Data, UnixFileMode.None);

        var output = await StartRefusedAsync(WithoutRootOverride());

        Assert.Contains($"Standalone:DataDirectory: {Data} cannot be used by this user", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Root reads any folder whatever its mode; as root the server runs without the capabilities that allow that
    /// (setpriv, from util-linux), as any other user would.
    /// </summary>
    private static IReadOnlyList<string> WithoutRootOverride()
    {
        if (Environment.UserName != "root")
        {
            return [];
        }

        Assert.True(File.Exists("/usr/bin/setpriv"), "as root this test needs /usr/bin/setpriv (util-linux) to run the server without its right to read any folder");
        return ["/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", "--"];
    }

    /// <summary>Tasks with their artifacts mirrored to files, so the data directory holds task folders as well.</summary>
    private async Task MakeDataAsync(int tasks)
    {
        await using var server = await StartAsync(new Dictionary<string, string> { ["Standalone:MirrorArtifactsToFiles"] = "true" });
        for (var i = 0; i < tasks; i++)
        {
            await server.SubmitAsync($$"""{ "id": "t-{{i}}", "to": ["implementation"], "instructions": "x" }""");
        }

        await server.WaitForAsync($"t-{tasks - 1}");

        // The mirror is written behind the commits; a clean stop finishes it.
        server.RequestShutdown();
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)) && server.ExitCode == 0, server.Output);
    }

    private Task<StandaloneServer> StartAsync(Dictionary<string, string>? settings = null) =>
        StandaloneServer.StartAsync(new StandaloneServerOptions { Settings = Settings.Of(Settings.Echo("implementation"), settings ?? []), DataDirectory = Data });

    private async Task<string> StartRefusedAsync(IReadOnlyList<string>? launcher = null, Dictionary<string, string>? settings = null)
    {
        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            Settings = Settings.Of(Settings.Echo("implementation"), settings ?? []),
            DataDirectory = Data,
            WaitUntilHealthy = false,
            Launcher = launcher ?? [],
        });

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the server started on data it should refuse:\n" + server.Output);
        Assert.True(server.ExitCode == 1, $"exit {server.ExitCode}:\n{server.Output}");
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", server.Output, StringComparison.Ordinal);
        return server.Output;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
