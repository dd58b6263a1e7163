using System.Diagnostics;
using System.Net.Http.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Standalone.Tests.Support;
using AgentFunctions.Testing;

namespace AgentFunctions.Standalone.Tests.Hosting;

public sealed class ShutdownAndStartupTests : IDisposable
{
    private readonly Scripts _scripts = new();
    private readonly string _data = TempPaths.NewDirectory("shutdown-data");

    public void Dispose()
    {
        _scripts.Dispose();
        TempPaths.TryDelete(_data);
    }

    [Theory]
    [InlineData(10, 1)]
    [InlineData(0, 2)]
    public async Task Sigterm_lets_running_attempts_finish_within_the_grace_period_or_releases_them(int graceSeconds, int expectedRuns)
    {
        var log = _scripts.PathOf("runs.log");
        var settings = Settings.Of(
            new Dictionary<string, string> { ["Standalone:ShutdownGraceSeconds"] = graceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            _scripts.Role("worker", $"echo start >> \"{log}\"; sleep 1; echo done"));
        var start = new StandaloneServerOptions { Settings = settings, Port = LoopbackPorts.Free(), DataDirectory = _data };
        await using (var first = await StandaloneServer.StartAsync(start))
        {
            using (await first.Client.PostAsync("api/tasks", JsonContent.Create(new { id = "graceful", to = new[] { "worker" }, instructions = "x" }))) { }
            for (var i = 0; i < 100 && !File.Exists(log); i++)
            {
                await Task.Delay(20);
            }

            first.RequestShutdown();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(30)), first.Output);
        }

        await using var second = await StandaloneServer.StartAsync(start);
        TaskView view;
        do
        {
            await Task.Delay(50);
            view = (await second.Client.GetFromJsonAsync<TaskView>("api/tasks/graceful", CoreJson.Options))!;
        }
        while (!view.State.IsTerminal());

        Assert.Equal(AgentTaskStatus.Completed, view.State);
        Assert.Equal(1, view.Roles[0].Attempt);
        Assert.Equal(expectedRuns, File.ReadAllLines(log).Length);
    }

    [Fact]
    public async Task Invalid_configuration_stops_the_server_with_a_message_naming_the_key()
    {
        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions
        {
            Settings = new Dictionary<string, string>
            {
                ["Roles:broken:Runner"] = "teleport",
                ["Roles:slow:Runner"] = "echo",
                ["Roles:slow:Retry:MaxAttempts"] = "50",
            },
            DataDirectory = _data,
            WaitUntilHealthy = false,
        });

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, server.ExitCode);
        Assert.Contains("Roles:broken:Runner: must be one of echo, command, http, openai, remote (got 'teleport')", server.Output, StringComparison.Ordinal);
        Assert.Contains("Roles:slow:Retry:MaxAttempts: must be between 1 and 10 (got 50)", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_server_on_the_same_data_directory_stops_with_a_message_naming_the_holder()
    {
        var settings = new Dictionary<string, string> { ["Roles:echo:Runner"] = "echo" };
        await using var first = await StandaloneServer.StartAsync(new StandaloneServerOptions { Settings = settings, DataDirectory = _data });

        await using var second = await StandaloneServer.StartAsync(new StandaloneServerOptions { Settings = settings, DataDirectory = _data, WaitUntilHealthy = false });

        Assert.True(await second.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, second.ExitCode);
        Assert.Contains($"Standalone:DataDirectory: '{_data}' is in use by another AgentFunctions server (process {first.ProcessId})", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        using var health = await first.Client.GetAsync("api/health");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_port_in_use_stops_the_server_with_one_clear_line()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        await using var server = await StandaloneServer.StartAsync(new StandaloneServerOptions { Port = port, DataDirectory = _data, WaitUntilHealthy = false });

        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, server.ExitCode);
        Assert.Contains($"Failed to bind to address http://127.0.0.1:{port}: address already in use.", server.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", server.Output, StringComparison.Ordinal);
    }
}
