using System.Text.Json;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>
/// End to end against a real Standalone server: a coordinator submits and waits, <c>agentq worker run</c> (the
/// real tool, in its own process) serves the remote role with a real shell program, the coordinator reads the result.
/// </summary>
public sealed class RoundTripTests
{
    private const string ReviewScript =
        """
        prompt=$(cat)
        mkdir -p "$AGENTQ_ARTIFACTS_DIR/logs"
        printf 'all 12 checks passed\n' > "$AGENTQ_ARTIFACTS_DIR/logs/checks.txt"
        printf '# Findings\n\nNo blocking issue.\n' > "$AGENTQ_ARTIFACTS_DIR/findings.md"
        printf '# Review of %s (attempt %s)\n\n' "$AGENTQ_TASK_ID" "$AGENTQ_ATTEMPT"
        printf '%s\n' "$prompt" | grep -E '^(The login test|Review the fix)'
        """;

    [Fact]
    public async Task Submit_wait_completes_through_a_worker_program_and_result_prints_its_markdown()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("review"));
        var context = scene.Scratch.File("context.md");
        await File.WriteAllTextAsync(context, "The login test fails on CI since PR 41.\n");
        var worker = await scene.StartWorkerAsync("review", scene.Script("review.sh", ReviewScript));

        using var submit = scene.Start("submit", "Review the fix", "--to", "review", "--file", context, "--id", "rt-1", "--wait", "--timeout", "20");
        var submitted = await submit.WaitAsync(TimeSpan.FromSeconds(25));

        Assert.True(submitted.ExitCode == 0, submitted.ToString());
        var lines = submitted.Stdout.Split('\n');
        Assert.Equal("rt-1", lines[0]);
        Assert.Equal($"status: {scene.Server.Url}/runtime/webhooks/durabletask/instances/rt-1", lines[1]);
        Assert.Contains(lines, l => l.StartsWith("outcome: completed", StringComparison.Ordinal));
        Assert.Empty(submitted.Stderr);

        var markdown = await scene.RunExpectingAsync(0, "result", "rt-1", "--role", "review");
        Assert.Equal("# Review of rt-1 (attempt 1)\n\nReview the fix\nThe login test fails on CI since PR 41.\n", markdown.Stdout);
        await worker.WaitForStderrAsync("review rt-1 attempt 1/5 completed, 2 artifacts in ");
    }

    [Fact]
    public async Task Files_the_program_writes_to_the_artifacts_dir_are_downloaded_by_result_out()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("review"));
        await scene.StartWorkerAsync("review", scene.Script("review.sh", ReviewScript));
        await scene.RunExpectingAsync(0, "submit", "Review the fix", "--to", "review", "--id", "art-1", "--wait", "--timeout", "20");
        var directory = scene.Scratch.File("out");

        var download = await scene.RunExpectingAsync(0, "result", "art-1", "--out", directory);

        Assert.Equal("all 12 checks passed\n", await File.ReadAllTextAsync(Path.Combine(directory, "artifacts", "review", "logs", "checks.txt")));
        Assert.Equal("# Findings\n\nNo blocking issue.\n", await File.ReadAllTextAsync(Path.Combine(directory, "artifacts", "review", "findings.md")));
        Assert.StartsWith("# Review of art-1 (attempt 1)", await File.ReadAllTextAsync(Path.Combine(directory, "results", "review.md")), StringComparison.Ordinal);
        using (var result = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "result.json"))))
        {
            Assert.Equal("completed", result.RootElement.GetProperty("state").GetString());
            var artifacts = result.RootElement.GetProperty("roles")[0].GetProperty("artifacts").EnumerateArray().Select(a => a.GetString()).Order(StringComparer.Ordinal);
            Assert.Equal(["tasks/art-1/artifacts/review/findings.md", "tasks/art-1/artifacts/review/logs/checks.txt"], artifacts);
        }

        Assert.Contains($"{Path.Combine(directory, "artifacts", "review", "logs", "checks.txt")}  (21 bytes)", download.Stdout, StringComparison.Ordinal);

        // --json: a summary of what was written, for scripts.
        var summary = await scene.JsonAsync("result", "art-1", "--role", "review", "--out", scene.Scratch.File("only-review"));
        Assert.Equal("art-1", summary.GetProperty("taskId").GetString());
        Assert.Equal("review", summary.GetProperty("role").GetString());
        Assert.Equal("completed", summary.GetProperty("state").GetString());
        var files = summary.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();
        Assert.Equal(["result.json", "artifacts/review/findings.md", "artifacts/review/logs/checks.txt", "results/review.json", "results/review.md"], files);
    }

    [Fact]
    public async Task Json_output_of_submit_status_list_and_result_carries_the_documented_fields()
    {
        await using var scene = await EndToEnd.StartAsync(ServerSettings.Remote("review"));
        await scene.StartWorkerAsync("review", scene.Script("review.sh", ReviewScript));

        var submitted = await scene.JsonAsync("submit", "Review the fix", "--to", "review", "--id", "js-1", "--from", "planner", "--priority", "high");
        Assert.Equal("js-1", submitted.GetProperty("id").GetString());
        foreach (var link in new[] { "statusQueryGetUri", "sendEventPostUri", "terminatePostUri", "purgeHistoryDeleteUri" })
        {
            Assert.StartsWith(scene.Server.Url + "/runtime/webhooks/durabletask/instances/js-1", submitted.GetProperty(link).GetString(), StringComparison.Ordinal);
        }

        var final = await scene.JsonAsync("watch", "js-1", "--timeout", "20", "--interval", "0.1");
        Assert.Equal("completed", final.GetProperty("state").GetString());

        var view = await scene.JsonAsync("status", "js-1");
        Assert.Equal("js-1", view.GetProperty("id").GetString());
        Assert.Equal("completed", view.GetProperty("state").GetString());
        Assert.Equal("task", view.GetProperty("type").GetString());
        Assert.Equal("planner", view.GetProperty("from").GetString());
        Assert.Equal("high", view.GetProperty("priority").GetString());
        Assert.True(view.GetProperty("updatedAt").GetDateTimeOffset() >= view.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("deadlineAt").ValueKind);
        var role = Assert.Single(view.GetProperty("roles").EnumerateArray());
        Assert.Equal("review", role.GetProperty("role").GetString());
        Assert.Equal(0, role.GetProperty("stage").GetInt32());
        Assert.Equal("succeeded", role.GetProperty("state").GetString());
        Assert.Equal(1, role.GetProperty("attempt").GetInt32());
        Assert.Equal(5, role.GetProperty("maxAttempts").GetInt32());
        Assert.Equal("tasks/js-1/results/review.md", role.GetProperty("resultRef").GetString());
        Assert.Equal("# Review of js-1 (attempt 1)", role.GetProperty("summary").GetString());
        Assert.Equal("completed", view.GetProperty("outcome").GetProperty("state").GetString());

        var list = await scene.JsonAsync("list", "--state", "completed", "--role", "review");
        Assert.Equal(["js-1"], list.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Empty((await scene.JsonAsync("list", "--state", "failed")).GetProperty("items").EnumerateArray());

        var result = await scene.JsonAsync("result", "js-1");
        Assert.Equal("js-1", result.GetProperty("id").GetString());
        Assert.Equal("completed", result.GetProperty("state").GetString());
        var roleResult = Assert.Single(result.GetProperty("roles").EnumerateArray());
        Assert.Equal("succeeded", roleResult.GetProperty("state").GetString());
        Assert.Equal(1, roleResult.GetProperty("attempts").GetInt32());
        Assert.Equal(2, roleResult.GetProperty("artifacts").GetArrayLength());

        var markdown = await scene.JsonAsync("result", "js-1", "--role", "review");
        Assert.Equal("js-1", markdown.GetProperty("taskId").GetString());
        Assert.Equal("review", markdown.GetProperty("role").GetProperty("role").GetString());
        Assert.StartsWith("# Review of js-1 (attempt 1)\n", markdown.GetProperty("markdown").GetString(), StringComparison.Ordinal);
    }
}
