using System.Text.Json;
using AgentFunctions.Testing;

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// One end-to-end scene: a real Standalone server, a scratch directory for scripts and downloads, agentq run
/// in-process (<see cref="RunAsync"/>) or as the real tool in its own process (<see cref="Start"/>,
/// <see cref="StartWorker"/>), all pointed at the server through AGENTQ_URL.
/// </summary>
internal sealed class EndToEnd : IAsyncDisposable
{
    private readonly List<ToolProcess> _processes = [];

    private EndToEnd(StandaloneServer server)
    {
        Server = server;
        Environment.Variables["AGENTQ_URL"] = server.Url;
        Environment.Variables["AGENTQ_BY"] = "coordinator";
    }

    public StandaloneServer Server { get; }

    public TempDirectory Scratch { get; } = new();

    public TestEnvironment Environment { get; } = new();

    public static async Task<EndToEnd> StartAsync(IReadOnlyDictionary<string, string> settings) =>
        new(await StandaloneServer.StartAsync(settings));

    public static async Task<EndToEnd> StartAsync(StandaloneServerOptions options) =>
        new(await StandaloneServer.StartAsync(options));

    /// <summary>agentq in this process, against the server; interrupted (exit 1) if it runs for more than 30 s.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await CliRunner.RunAsync(Environment, limit.Token, args);
    }

    /// <summary>Runs agentq in this process and asserts it exited <paramref name="expected"/>.</summary>
    public async Task<CliResult> RunExpectingAsync(int expected, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == expected, $"agentq {string.Join(' ', args)}: expected exit {expected}, got {result}");
        return result;
    }

    /// <summary>Runs <c>agentq ARGS --json</c>, asserts exit 0 and returns the one JSON document on stdout.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunExpectingAsync(0, [.. args, "--json"]);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Polls <c>agentq status ID --json</c> until <paramref name="until"/> holds (an id not yet submitted counts as "not yet").</summary>
    public async Task<JsonElement> WaitForStatusAsync(string id, Func<JsonElement, bool> until, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = await RunAsync("status", id, "--json");
            if (status.ExitCode == 0)
            {
                using var document = JsonDocument.Parse(status.Stdout);
                if (until(document.RootElement))
                {
                    return document.RootElement.Clone();
                }
            }
            else
            {
                Assert.True(status.ExitCode == 3, $"agentq status {id}: {status}");
            }

            Assert.True(DateTime.UtcNow < deadline, $"task {id} did not get there in time; last answer: {status}");
            await Task.Delay(50);
        }
    }

    /// <summary>The real tool as a process (HOME is the scratch environment's, AGENTQ_URL the server).</summary>
    public ToolProcess Start(params string[] args)
    {
        var process = ToolProcess.Start(new Dictionary<string, string> { ["HOME"] = Environment.HomeDirectory, ["AGENTQ_URL"] = Server.Url }, args);
        _processes.Add(process);
        return process;
    }

    /// <summary><c>agentq worker run --role ROLE [options] -- sh SCRIPT</c> as a real process, waiting until it polls.</summary>
    public async Task<ToolProcess> StartWorkerAsync(string role, string script, params string[] options)
    {
        var worker = Start(["worker", "run", "--role", role, "--worker-id", $"{role}-worker-{_processes.Count}", .. options, "--", "sh", script]);
        await worker.WaitForStderrAsync($"pulling role '{role}'");
        return worker;
    }

    /// <summary>Writes a /bin/sh script into the scratch directory and returns its path.</summary>
    public string Script(string name, string body)
    {
        var path = Scratch.File(name);
        File.WriteAllText(path, "#!/bin/sh\n" + body.ReplaceLineEndings("\n") + "\n");
        return path;
    }

    public async ValueTask DisposeAsync()
    {
        // Workers first: they would otherwise log the server going away.
        foreach (var process in _processes)
        {
            process.Dispose();
        }

        await Server.DisposeAsync();
        Scratch.Dispose();
        Environment.Dispose();
    }
}
