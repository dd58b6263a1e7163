using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

/// <summary>What a crash leaves behind in the data directory is cleaned up at the next start.</summary>
public sealed class LeftoverTests : IDisposable
{
    private readonly Scripts _scripts = new();

    public void Dispose() => _scripts.Dispose();

    [Fact]
    public async Task Scratch_folders_of_command_attempts_live_under_the_data_directory_and_a_crash_leaves_none_after_the_next_start()
    {
        var data = TempPaths.NewDirectory("leftovers");
        var leftover = Path.Combine(data, "tmp", "agentq-artifacts-crashed");
        Directory.CreateDirectory(leftover);
        await File.WriteAllTextAsync(Path.Combine(leftover, "half-written.md"), "from an attempt the crash cut off");

        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            DataDirectory = data,
            Settings = _scripts.Role("build", """printf '%s' "$AGENTQ_ARTIFACTS_DIR" """),
        });
        await server.SubmitAsync("""{ "id": "scratch-1", "to": ["build"], "instructions": "x" }""");
        var view = await server.WaitForAsync("scratch-1");

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.False(Directory.Exists(leftover), "the scratch folder left by the crash is removed at the start");
        var used = await ReadWhenWrittenAsync(server, "api/tasks/scratch-1/artifacts/results/build.md");
        Assert.StartsWith(Path.Combine(Path.GetFullPath(data), "tmp", "agentq-artifacts-"), used.Trim(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(used.Trim()), "an attempt's scratch folder goes when the attempt ends");
    }

    /// <summary>Files are written just behind the task's state: poll briefly until this one is there.</summary>
    private static async Task<string> ReadWhenWrittenAsync(StandaloneServer server, string path)
    {
        for (var i = 0; ; i++)
        {
            using var response = await server.Client.GetAsync(path);
            if (response.IsSuccessStatusCode || i == 200)
            {
                Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}");
                return await response.Content.ReadAsStringAsync();
            }

            await Task.Delay(50);
        }
    }
}
