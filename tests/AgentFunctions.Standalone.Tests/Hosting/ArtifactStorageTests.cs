using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// Artifacts live in the database, committed with the state that produced them; large ones are files named by their
/// row; artifact files from before still read; the mirror option copies everything to files; a purge removes both.
/// </summary>
public sealed class ArtifactStorageTests : IDisposable
{
    /// <summary>Above the 256 KiB kept in the database: stored as a file.</summary>
    private const int LargeBytes = 300 * 1024;

    private readonly string _data = TempPaths.NewDirectory("artifact-storage");

    private string Artifacts => Path.Combine(_data, "artifacts");

    public void Dispose() => TempPaths.TryDelete(_data);

    [Fact]
    public async Task Artifacts_read_back_with_their_bytes_the_moment_completed_is_visible_and_large_ones_are_files()
    {
        await using var server = await StartAsync();
        var large = LargeContent();
        await server.SubmitAsync("""{ "id": "made", "to": ["review"], "instructions": "x" }""");
        await CompleteAsync(server, "review", "reviewed", ("notes.txt", "small", "utf-8"), ("big.bin", Convert.ToBase64String(large), "base64"));

        var view = await server.WaitForAsync("made");

        // Read at once: no waiting for a writer.
        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal("reviewed", await server.Client.GetStringAsync("api/tasks/made/artifacts/results/review.md"));
        Assert.Equal("small", await server.Client.GetStringAsync("api/tasks/made/artifacts/artifacts/review/notes.txt"));
        Assert.Equal(large, await server.Client.GetByteArrayAsync("api/tasks/made/artifacts/artifacts/review/big.bin"));
        var result = await server.Client.GetFromJsonAsync<JsonElement>("api/tasks/made/result");
        Assert.Equal("completed", result.GetProperty("state").GetString());
        var spec = await server.Client.GetFromJsonAsync<JsonElement>("api/tasks/made/artifacts/spec.json");
        Assert.Equal("x", spec.GetProperty("instructions").GetString());

        // The large one is the only file: a fresh name in the task's blob folder, flushed before its commit.
        var files = Directory.GetFiles(Path.Combine(Artifacts, "tasks", "made"), "*", SearchOption.AllDirectories);
        var file = Assert.Single(files);
        Assert.Equal(Path.Combine(Artifacts, "tasks", "made", "blobs"), Path.GetDirectoryName(file));
        Assert.Equal(large, await File.ReadAllBytesAsync(file));

        var listing = await server.Client.GetFromJsonAsync<JsonElement>("api/tasks/made/artifacts");
        var paths = listing.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()).ToList();
        Assert.Equal(["artifacts/review/big.bin", "artifacts/review/notes.txt", "result.json", "results/review.json", "results/review.md", "spec.json"], paths);
    }

    [Fact]
    public async Task A_large_artifact_file_that_no_commit_named_is_removed_at_the_next_start()
    {
        var large = LargeContent();
        await using (var first = await StartAsync())
        {
            await first.SubmitAsync("""{ "id": "named", "to": ["review"], "instructions": "x" }""");
            await CompleteAsync(first, "review", "done", ("big.bin", Convert.ToBase64String(large), "base64"));
            await first.WaitForAsync("named");
        }

        // As a crash between writing a large artifact and committing it leaves it.
        var blobs = Path.Combine(Artifacts, "tasks", "named", "blobs");
        var named = Assert.Single(Directory.GetFiles(blobs));
        var unnamed = Path.Combine(blobs, "0123456789abcdef0123456789abcdef");
        await File.WriteAllBytesAsync(unnamed, large);

        await using var server = await StartAsync();

        Assert.False(File.Exists(unnamed));
        Assert.True(File.Exists(named));
        Assert.Equal(large, await server.Client.GetByteArrayAsync("api/tasks/named/artifacts/artifacts/review/big.bin"));
    }

    [Fact]
    public async Task Nothing_is_lost_when_the_server_is_killed_right_after_tasks_complete()
    {
        const int Tasks = 40;
        var start = new StandaloneServerOptions { Settings = Settings.Echo("echo"), DataDirectory = _data };
        var seen = new Dictionary<string, (string Result, string Markdown, string Spec)>();
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            for (var i = 0; i < Tasks; i++)
            {
                await first.SubmitAsync($$"""{ "id": "k-{{i}}", "to": ["echo"], "instructions": "survive {{i}}" }""");
            }

            for (var i = 0; i < Tasks; i++)
            {
                await first.WaitForAsync($"k-{i}");
                seen[$"k-{i}"] = await ReadAllAsync(first.Client, $"k-{i}");
            }

            await first.KillAsync();
        }

        await using var second = await StandaloneServer.StartAsync(start);
        foreach (var (id, before) in seen)
        {
            Assert.Equal(before, await ReadAllAsync(second.Client, id));
        }
    }

    [Fact]
    public async Task Artifact_files_of_a_data_directory_from_before_still_read_and_its_pending_writes_are_done()
    {
        string document;
        await using (var first = await StartAsync())
        {
            await first.SubmitAsync("""{ "id": "old", "to": ["review"], "instructions": "from before" }""");
            await CompleteAsync(first, "review", "old result");
            await first.WaitForAsync("old");
            document = await first.Client.GetStringAsync("api/tasks/old/result");
        }

        // As schema version 2 left it: artifacts are files, and result.json is still promised by an outbox row.
        WriteFile("tasks/old/spec.json", """{ "instructions": "from before" }""");
        WriteFile("tasks/old/results/review.md", "old result");
        WriteFile("tasks/old/artifacts/review/kept.txt", "kept");
        Execute(
            "DROP TABLE artifacts; UPDATE meta SET value = '2' WHERE key = 'schema_version'; INSERT INTO outbox (id, task_id, kind, payload, created_at) VALUES (1000, 'old', 'result', $payload, 0);",
            ("$payload", document));

        await using var server = await StartAsync();

        Assert.Equal("""{ "instructions": "from before" }""", await server.Client.GetStringAsync("api/tasks/old/artifacts/spec.json"));
        Assert.Equal("old result", await server.Client.GetStringAsync("api/tasks/old/artifacts/results/review.md"));
        Assert.Equal("kept", await server.Client.GetStringAsync("api/tasks/old/artifacts/artifacts/review/kept.txt"));
        var result = await server.Client.GetFromJsonAsync<JsonElement>("api/tasks/old/result");
        Assert.Equal("completed", result.GetProperty("state").GetString());
        var listing = await server.Client.GetFromJsonAsync<JsonElement>("api/tasks/old/artifacts");
        var paths = listing.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("path").GetString()).ToList();
        Assert.Equal(["artifacts/review/kept.txt", "result.json", "results/review.md", "spec.json"], paths);
    }

    [Fact]
    public async Task The_mirror_option_writes_every_artifact_as_a_file_in_the_layout()
    {
        await using var server = await StartAsync(new() { ["Standalone:MirrorArtifactsToFiles"] = "true" });
        var large = LargeContent();
        await server.SubmitAsync("""{ "id": "mirrored", "to": ["review"], "instructions": "x", "context": "some context" }""");
        await CompleteAsync(server, "review", "mirrored result", ("big.bin", Convert.ToBase64String(large), "base64"));
        await server.WaitForAsync("mirrored");

        foreach (var path in new[] { "spec.json", "context.md", "result.json", "results/review.md", "results/review.json", "artifacts/review/big.bin" })
        {
            var file = Path.Combine(Artifacts, "tasks", "mirrored", path);
            await WaitForFileAsync(file);
            Assert.Equal(await server.Client.GetByteArrayAsync($"api/tasks/mirrored/artifacts/{path}"), await File.ReadAllBytesAsync(file));
        }
    }

    [Fact]
    public async Task Purge_removes_the_artifact_rows_and_the_files()
    {
        await using var server = await StartAsync(new() { ["Standalone:MirrorArtifactsToFiles"] = "true" });
        await server.SubmitAsync("""{ "id": "gone", "to": ["review"], "instructions": "x" }""");
        await CompleteAsync(server, "review", "soon gone", ("big.bin", Convert.ToBase64String(LargeContent()), "base64"));
        await server.WaitForAsync("gone");
        await WaitForFileAsync(Path.Combine(Artifacts, "tasks", "gone", "result.json"));

        using var purge = await server.Client.DeleteAsync("runtime/webhooks/durabletask/instances/gone");

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(Artifacts, "tasks", "gone")));
        Assert.Equal(0L, Query("SELECT count(*) FROM artifacts WHERE path LIKE 'tasks/gone/%'"));
        using var read = await server.Client.GetAsync("api/tasks/gone/artifacts/results/review.md");
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    private Task<StandaloneServer> StartAsync(Dictionary<string, string>? extra = null) =>
        StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            Settings = Settings.Of(new Dictionary<string, string> { ["Roles:review:Runner"] = "remote" }, extra ?? new Dictionary<string, string>()),
            DataDirectory = _data,
        });

    private static byte[] LargeContent() => Enumerable.Range(0, LargeBytes).Select(i => (byte)(i * 7 % 251)).ToArray();

    private static async Task CompleteAsync(StandaloneServer server, string role, string result, params (string Name, string Content, string Encoding)[] artifacts)
    {
        using var lease = await server.PostJsonAsync($"api/workers/{role}/lease", """{ "workerId": "w" }""");
        Assert.Equal(HttpStatusCode.OK, lease.StatusCode);
        var leaseId = (await Responses.ReadJsonAsync(lease)).GetProperty("leaseId").GetString();
        var body = JsonSerializer.Serialize(new
        {
            status = "completed",
            result,
            artifacts = artifacts.Select(a => new { name = a.Name, content = a.Content, encoding = a.Encoding }),
        });
        using var complete = await server.PostJsonAsync($"api/workers/{role}/leases/{leaseId}/complete", body);
        Assert.True(complete.StatusCode == HttpStatusCode.OK, await complete.Content.ReadAsStringAsync());
    }

    private static async Task<(string Result, string Markdown, string Spec)> ReadAllAsync(HttpClient client, string id) =>
        (await client.GetStringAsync($"api/tasks/{id}/result"),
         await client.GetStringAsync($"api/tasks/{id}/artifacts/results/echo.md"),
         await client.GetStringAsync($"api/tasks/{id}/artifacts/spec.json"));

    private void WriteFile(string path, string content)
    {
        var file = Path.Combine(Artifacts, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content, new UTF8Encoding(false));
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "agentfunctions.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    private long Query(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_data, "agentfunctions.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task WaitForFileAsync(string path)
    {
        for (var i = 0; i < 400 && !File.Exists(path); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(File.Exists(path), $"{path} was not written in time");
    }
}
