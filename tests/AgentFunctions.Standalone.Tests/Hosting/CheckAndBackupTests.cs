using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;
using Microsoft.Data.Sqlite;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>
/// <c>check</c> verifies a data directory without changing it; <c>backup</c> copies one consistently while the server
/// runs, and a server started on the copy carries on where the copy was taken.
/// </summary>
public sealed class CheckAndBackupTests : IDisposable
{
    private readonly string _root = TempPaths.NewDirectory("check");

    private string Data => Path.Combine(_root, "data");

    public void Dispose() => TempPaths.TryDelete(_root);

    [Fact]
    public async Task Check_reports_a_sound_directory_with_exit_0_while_the_server_runs()
    {
        await using var server = await StartAsync(Data);
        await server.SubmitAsync("""{ "id": "sound-1", "to": ["implementation"], "instructions": "x" }""");
        await server.WaitForAsync("sound-1");

        var (exit, output) = await ServerTool.RunAsync("check", "--Standalone:DataDirectory", Data);

        Assert.True(exit == 0, output);
        Assert.Contains($"data directory: {Data} (in use by server process {server.ProcessId}", output, StringComparison.Ordinal);
        Assert.Contains("integrity: ok (PRAGMA integrity_check)", output, StringComparison.Ordinal);
        Assert.Contains("tasks: 1 (0 unfinished)", output, StringComparison.Ordinal);
        Assert.EndsWith("result: ok", output.TrimEnd(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_reports_orphaned_artifacts_and_missing_files_with_exit_1_and_changes_nothing()
    {
        await using (var server = await StartAsync(Data))
        {
            await server.SubmitAsync("""{ "id": "kept", "to": ["implementation"], "instructions": "x" }""");
            await server.SubmitAsync("""{ "id": "robbed", "to": ["implementation"], "instructions": "x" }""");
            await server.WaitForAsync("robbed");
            using (await server.Client.GetAsync("api/tasks/robbed/artifacts")) { }
            server.RequestShutdown();
            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var tasks = Path.Combine(Data, "artifacts", "tasks");
        Directory.CreateDirectory(Path.Combine(tasks, "stray"));
        await File.WriteAllTextAsync(Path.Combine(tasks, "stray", "spec.json"), "{}");
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(Data, "agentfunctions.db")};Pooling=False"))
        {
            connection.Open();
            using var delete = connection.CreateCommand();
            delete.CommandText = "DELETE FROM artifacts WHERE path = 'tasks/robbed/result.json'";
            Assert.Equal(1, delete.ExecuteNonQuery());
        }

        Directory.CreateDirectory(Path.Combine(Data, "tmp", "agentq-artifacts-left"));
        var before = Snapshot(Data);

        var (exit, output) = await ServerTool.RunAsync("check", Data);

        Assert.True(exit == 1, output);
        Assert.Contains("problem: 1 artifact folders belong to no task in the database (such as 'stray')", output, StringComparison.Ordinal);
        Assert.Contains("problem: 1 tasks miss files that were written (spec.json or result.json; such as 'robbed')", output, StringComparison.Ordinal);
        Assert.Contains("leftover: 1 scratch folders of interrupted attempts", output, StringComparison.Ordinal);
        Assert.EndsWith("result: 2 problems", output.TrimEnd(), StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(Data));
    }

    [Fact]
    public async Task Check_reports_a_damaged_database_with_exit_1()
    {
        Directory.CreateDirectory(Data);
        var noise = new byte[8192];
        new Random(5).NextBytes(noise);
        await File.WriteAllBytesAsync(Path.Combine(Data, "agentfunctions.db"), noise);

        var (exit, output) = await ServerTool.RunAsync("check", Data);

        Assert.True(exit == 1, output);
        Assert.Contains("is not an SQLite database", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("check", "one", "two")]
    [InlineData("check", "--Standalone:DataDirectory")]
    [InlineData("backup")]
    [InlineData("inspect")]
    public async Task Arguments_the_commands_cannot_read_exit_2(params string[] args)
    {
        var (exit, output) = await ServerTool.RunAsync(args);

        Assert.True(exit == 2, output);
        Assert.Contains("Usage: agentfunctions-standalone", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_taken_under_load_restores_to_a_server_that_carries_on()
    {
        var backup = Path.Combine(_root, "backup");
        var acknowledged = new ConcurrentBag<string>();
        await using (var server = await StartAsync(Data))
        {
            for (var i = 0; i < 20; i++)
            {
                await server.SubmitAsync($$"""{ "id": "done-{{i}}", "to": ["implementation"], "instructions": "x", "context": "notes {{i}}" }""");
            }

            await server.SubmitAsync("""{ "id": "gated", "to": ["implementation"], "instructions": "x", "requiresApproval": true }""");
            await server.WaitForAsync("done-19");

            // Submits keep coming while the backup runs.
            using var stop = new CancellationTokenSource();
            var load = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    using var response = await server.PostJsonAsync("api/tasks", $$"""{ "id": "load-{{i}}", "to": ["implementation"], "instructions": "x" }""");
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        acknowledged.Add($"load-{i}");
                    }
                }
            });
            await Task.Delay(200);
            var (exit, output) = await ServerTool.RunAsync("backup", backup, "--Standalone:DataDirectory", Data);
            await stop.CancelAsync();
            await load;
            Assert.True(exit == 0, output);
            Assert.Contains($"to {backup}", output, StringComparison.Ordinal);
        }

        // The copy is sound on its own, and a server started on it carries on.
        var (checkExit, report) = await ServerTool.RunAsync("check", backup);
        Assert.True(checkExit == 0, report);
        await using var restored = await StartAsync(backup);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(AgentTaskStatus.Completed, (await restored.WaitForAsync($"done-{i}")).State);
            Assert.Equal($"notes {i}", await restored.Client.GetStringAsync($"api/tasks/done-{i}/artifacts/context.md"));
            Assert.StartsWith("# Echo from implementation", await restored.Client.GetStringAsync($"api/tasks/done-{i}/artifacts/results/implementation.md"), StringComparison.Ordinal);
        }

        using (var approve = await restored.PostJsonAsync("api/tasks/gated/approve", """{ "by": "restorer" }"""))
        {
            Assert.Equal(HttpStatusCode.Accepted, approve.StatusCode);
        }

        Assert.Equal(AgentTaskStatus.Completed, (await restored.WaitForAsync("gated")).State);

        // Tasks submitted during the backup are in it or not, but never half: each one that is there finishes.
        var page = await restored.Client.GetFromJsonAsync<JsonElement>("api/tasks?top=1000");
        foreach (var id in page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()!).Where(id => id.StartsWith("load-", StringComparison.Ordinal)))
        {
            Assert.Contains(id, acknowledged);
            Assert.Equal(AgentTaskStatus.Completed, (await restored.WaitForAsync(id)).State);
        }
    }

    private static Task<StandaloneServer> StartAsync(string data) =>
        StandaloneServer.StartAsync(new StandaloneServerOptions { Settings = Settings.Echo("implementation"), DataDirectory = data });

    /// <summary>Every file under <paramref name="root"/> with its length and hash.</summary>
    private static List<string> Snapshot(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path => File.Exists(path) ? $"{path} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)))}" : path)
            .ToList();
}
