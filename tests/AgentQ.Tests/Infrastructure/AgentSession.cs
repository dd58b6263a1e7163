using System.Text.Json;

namespace AgentQ.Tests.Infrastructure;

/// <summary>
/// An agent's machine for one test: its own HOME (profile, leases) and current directory, agentq run in-process, and
/// the server it talks to (only through agentq: init writes the profile every later command uses).
/// </summary>
internal sealed class AgentSession(AgentEngines engines, string engine) : IDisposable
{
    public TestEnvironment Environment { get; } = new();

    public string Url => engines.Url(engine);

    public string Engine => engine;

    /// <summary>A session whose <c>agentq init --url</c> has saved the default profile every later command uses.</summary>
    public static async Task<AgentSession> InitializedAsync(AgentEngines engines, string engine)
    {
        var session = new AgentSession(engines, engine);
        try
        {
            await session.RunExpectingAsync(0, "init", "--url", session.Url);
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary><c>agentq submit</c> of a one-role task (exit 0), under a fresh id starting with <paramref name="idPrefix"/>; returns the id.</summary>
    public async Task<string> SubmitAsync(string idPrefix, string role, string instructions, params string[] options)
    {
        var id = NewId(idPrefix);
        await RunExpectingAsync(0, ["submit", "--id", id, "--to", role, "--instructions", instructions, .. options]);
        return id;
    }

    /// <summary>
    /// <see cref="SubmitAsync"/>, then <c>agentq take</c> of its attempt (exit 0, waiting up to 30 s for it) with
    /// <paramref name="takeOptions"/>: the agent holds the lease. Returns the task id.
    /// </summary>
    public async Task<string> SubmitAndTakeAsync(string idPrefix, string role, string instructions, params string[] takeOptions)
    {
        var id = await SubmitAsync(idPrefix, role, instructions);
        await RunExpectingAsync(0, ["take", "--role", role, "--task", id, .. takeOptions, "--wait", "30"]);
        return id;
    }

    /// <summary>agentq in this process; interrupted (exit 1) after 60 s.</summary>
    public async Task<CliResult> RunAsync(params string[] args)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return await CliRunner.RunAsync(Environment, limit.Token, args);
    }

    public async Task<CliResult> RunExpectingAsync(int expected, params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == expected, $"[{engine}] agentq {string.Join(' ', args)}: expected exit {expected}, got {result}{System.Environment.NewLine}{engines.Log(engine)}");
        return result;
    }

    /// <summary><c>agentq ARGS --json</c>, exit 0, and its one JSON document.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunExpectingAsync(0, [.. args, "--json"]);
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Polls <c>agentq status ID --json</c> until <paramref name="until"/> holds.</summary>
    public async Task<JsonElement> WaitForAsync(string id, Func<JsonElement, bool> until, string what, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        var last = default(JsonElement);
        while (DateTime.UtcNow < deadline)
        {
            var status = await RunAsync("status", id, "--json");
            if (status.ExitCode == 0)
            {
                using var document = JsonDocument.Parse(status.Stdout);
                last = document.RootElement.Clone();
                if (until(last))
                {
                    return last;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"[{engine}] task {id} did not reach {what}; last view: {last}{System.Environment.NewLine}{engines.Log(engine)}");
        throw new InvalidOperationException("unreachable");
    }

    public Task<JsonElement> WaitForStateAsync(string id, string state) =>
        WaitForAsync(id, view => view.GetProperty("state").GetString() == state, "state " + state);

    /// <summary>A file in the agent's current directory.</summary>
    public string File(string name, string content)
    {
        var path = Path.Combine(Environment.CurrentDirectory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, content);
        return path;
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public void Dispose() => Environment.Dispose();
}
