using System.Runtime.Versioning;
using System.Text.Json;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests.Agent;

/// <summary>
/// An agent holding a key scoped only to <c>worker:&lt;role&gt;</c> (it may lease and settle attempts of its role, not read
/// tasks), against the real Standalone server with keys: take, heartbeat and complete still work, and init says what a
/// wrong key means.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class WorkerKeyTests : IAsyncLifetime
{
    private const string Admin = "admin-key-for-tests-0001";
    private const string Worker = "agent-worker-key-0001";

    private EndToEnd _scene = null!;

    public async Task InitializeAsync()
    {
        _scene = await EndToEnd.StartAsync(new Dictionary<string, string>
        {
            ["Roles:agent:Runner"] = "remote",
            ["Auth:Keys:0:Name"] = "ops",
            ["Auth:Keys:0:Key"] = Admin,
            ["Auth:Keys:0:Scopes:0"] = "admin",
            ["Auth:Keys:1:Name"] = "agent-worker",
            ["Auth:Keys:1:Key"] = Worker,
            ["Auth:Keys:1:Scopes:0"] = "worker:agent",
        });

        // The coordinator's key for everything else (submit, status); the agent's commands give --key.
        _scene.Environment.Variables["AGENTQ_KEY"] = Admin;
    }

    public async Task DisposeAsync() => await _scene.DisposeAsync();

    [Fact]
    public async Task Take_with_a_worker_only_key_keeps_the_lease_and_writes_what_the_lease_answer_carries()
    {
        var context = _scene.Scratch.File("context.md");
        await File.WriteAllTextAsync(context, "# Ticket\nThe export is slow.");
        await _scene.RunExpectingAsync(0, "submit", "--id", "wk-1", "--to", "agent", "--instructions", "Speed up the export.", "--file", context);

        var taken = await _scene.RunExpectingAsync(0, "take", "--role", "agent", "--task", "wk-1", "--wait", "30", "--key", Worker, "--json");

        using var document = JsonDocument.Parse(taken.Stdout);
        var folder = document.RootElement.GetProperty("directory").GetString()!;
        Assert.Contains("Speed up the export.", File.ReadAllText(Path.Combine(folder, "prompt.md")), StringComparison.Ordinal);
        Assert.Contains("The export is slow.", File.ReadAllText(Path.Combine(folder, "context.md")), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(folder, "attempt.json")));
        Assert.False(File.Exists(Path.Combine(folder, "spec.json")));
        Assert.Equal(["spec.json"], document.RootElement.GetProperty("refused").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("warning: the key may not read task wk-1 (403), so spec.json could not be fetched; the lease is kept", taken.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(document.RootElement.GetProperty("leaseFile").GetString()));

        // The lease is held: the same worker-only key heartbeats and completes it; the task cannot be read, so nothing is claimed about it.
        await _scene.RunExpectingAsync(0, "heartbeat", "wk-1", "--from", "agent", "--key", Worker);
        var done = await _scene.RunExpectingAsync(0, "complete", "wk-1", "--from", "agent", "--result", "# Export sped up", "--key", Worker);
        Assert.Equal("task wk-1 (role agent, attempt 1): completed; the lease is settled", done.Stdout.Trim());
        var view = await _scene.WaitForStatusAsync("wk-1", v => v.GetProperty("state").GetString() == "completed");
        Assert.Equal("succeeded", view.GetProperty("roles")[0].GetProperty("state").GetString());
    }

    [Fact]
    public async Task Fail_with_a_worker_only_key_does_not_claim_a_retry_it_cannot_see()
    {
        await _scene.RunExpectingAsync(0, "submit", "--id", "wk-2", "--to", "agent", "--instructions", "Try it.");
        await _scene.RunExpectingAsync(0, "take", "--role", "agent", "--task", "wk-2", "--wait", "30", "--key", Worker);

        var failed = await _scene.RunExpectingAsync(0, "fail", "wk-2", "--from", "agent", "--reason", "tool crashed", "--key", Worker, "--json");

        using var document = JsonDocument.Parse(failed.Stdout);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("taskState").ValueKind);
        await _scene.RunExpectingAsync(0, "submit", "--id", "wk-3", "--to", "agent", "--instructions", "Try again.");
        await _scene.RunExpectingAsync(0, "take", "--role", "agent", "--task", "wk-3", "--wait", "30", "--key", Worker);
        var plain = await _scene.RunExpectingAsync(0, "fail", "wk-3", "--from", "agent", "--reason", "tool crashed", "--key", Worker);
        Assert.Equal("task wk-3 (role agent, attempt 1): failed; the lease is settled", plain.Stdout.Trim());
    }

    [Fact]
    public async Task Init_with_a_key_the_server_does_not_know_exits_11_and_keeps_the_profile_a_worker_key_only_warns()
    {
        var config = Path.Combine(_scene.Environment.HomeDirectory, ".agentq", "config.json");

        var wrong = await _scene.RunExpectingAsync(11, "init", "--url", _scene.Server.Url, "--key", "no-such-key", "--profile", "wrong");

        Assert.Contains("profile 'wrong' saved in", wrong.ErrorLine, StringComparison.Ordinal);
        Assert.Contains("\"wrong\"", File.ReadAllText(config), StringComparison.Ordinal);

        var worker = await _scene.RunExpectingAsync(0, "init", "--url", _scene.Server.Url, "--key", Worker, "--profile", "worker");
        Assert.Contains("the roles could not be listed", worker.Stderr, StringComparison.Ordinal);
    }
}
