using System.Text.Json;
using AgentFunctions.Core.Status;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Testing.Http;
using AgentQ.Cli;
using AgentQ.Results;
using AgentQ.Tests.Infrastructure;

namespace AgentQ.Tests;

/// <summary>Downloads keep the task's layout and never write outside the chosen directory.</summary>
public sealed class ResultTests : IDisposable
{
    private readonly TestEnvironment _environment = new();
    private readonly TempDirectory _out = new();

    public void Dispose()
    {
        _environment.Dispose();
        _out.Dispose();
    }

    private static TaskResultDocument Result(string id) => new()
    {
        Id = id,
        State = AgentTaskStatus.Completed,
        Outcome = new OutcomeView(AgentTaskStatus.Completed, "all roles succeeded", null, TaskViews.At, $"tasks/{id}/result.json"),
        Roles =
        [
            new RoleResultView { Role = "impl", State = RoleStatus.Succeeded, Attempts = 1, Summary = "patched", ResultRef = $"tasks/{id}/results/impl.md" },
            new RoleResultView { Role = "review", State = RoleStatus.Succeeded, Attempts = 2, Summary = "approved", ResultRef = $"tasks/{id}/results/review.md" },
        ],
        CreatedAt = TaskViews.At,
        FinishedAt = TaskViews.At,
    };

    /// <summary>A finished task t-1 whose artifact store holds <paramref name="files"/> (path → content).</summary>
    private async Task<RecordingHttpServer> StartAsync(Dictionary<string, string> files)
    {
        var server = await RecordingHttpServer.StartAsync((context, request) =>
        {
            const string Artifacts = "/api/tasks/t-1/artifacts/";
            if (request.Path == "/api/tasks/t-1/result")
            {
                return RecordingHttpServer.WriteJsonAsync(context, 200, Result("t-1"));
            }

            if (request.Path == "/api/tasks/t-1/artifacts")
            {
                var items = files.Select(f => new { path = f.Key, length = f.Value.Length, lastModified = TaskViews.At, contentType = "text/plain" });
                return RecordingHttpServer.WriteJsonAsync(context, 200, new { taskId = "t-1", items });
            }

            if (request.Path.StartsWith(Artifacts, StringComparison.Ordinal) && files.TryGetValue(Uri.UnescapeDataString(request.Path[Artifacts.Length..]), out var content))
            {
                return RecordingHttpServer.WriteAsync(context, 200, content, "application/octet-stream");
            }

            return RecordingHttpServer.WriteAsync(context, 404, RecordingHttpServer.Problem(404, "Not found", $"no {request.Path}"));
        });
        _environment.Variables["AGENTQ_URL"] = server.Url;
        return server;
    }

    private static readonly Dictionary<string, string> Files = new()
    {
        ["spec.json"] = "{}",
        ["result.json"] = "{\"stored\":true}",
        ["results/impl.md"] = "# Patch\n",
        ["results/review.md"] = "# Review\n\nLooks good.\n",
        ["artifacts/impl/src/fix.diff"] = "--- a\n+++ b\n",
        ["artifacts/review/notes.txt"] = "nit: naming",
    };

    [Fact]
    public async Task Out_downloads_the_result_and_every_artifact_in_the_task_layout()
    {
        await using var server = await StartAsync(Files);

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--out", _out.Path);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("# Review\n\nLooks good.\n", File.ReadAllText(_out.File("results/review.md")));
        Assert.Equal("--- a\n+++ b\n", File.ReadAllText(_out.File("artifacts/impl/src/fix.diff")));
        Assert.Equal("completed", JsonDocument.Parse(File.ReadAllText(_out.File("result.json"))).RootElement.GetProperty("state").GetString());
        Assert.Equal(6, Directory.GetFiles(_out.Path, "*", SearchOption.AllDirectories).Length);
        Assert.Empty(Directory.GetFiles(_out.Path, "*.agentq-partial", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Out_with_role_downloads_only_that_role_and_reports_json()
    {
        await using var server = await StartAsync(Files);

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--role", "review", "--out", _out.Path, "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        var files = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ToList();
        Assert.Equal(["result.json", "artifacts/review/notes.txt", "results/review.md"], files);
        Assert.False(File.Exists(_out.File("results/impl.md")));
    }

    [Fact]
    public async Task Role_prints_its_result_markdown()
    {
        await using var server = await StartAsync(Files);

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--role", "review");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("# Review\n\nLooks good.\n", result.Stdout);
    }

    [Fact]
    public async Task Unknown_role_is_not_found()
    {
        await using var server = await StartAsync(Files);

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--role", "docs");

        Assert.Equal((int)ExitCode.NotFound, result.ExitCode);
        Assert.Equal("agentq: task 't-1' has no role 'docs' (roles: impl, review)", result.ErrorLine);
    }

    [Fact]
    public async Task Unsafe_path_from_the_server_is_refused_before_anything_is_written_outside()
    {
        await using var server = await StartAsync(new Dictionary<string, string> { ["../escape.txt"] = "pwned" });

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--out", _out.Path);

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.Contains("unsafe artifact path '../escape.txt'", result.ErrorLine, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(_out.Path)!, "escape.txt")));
    }

    [Fact]
    public async Task Out_at_an_existing_file_is_one_line_and_leaves_the_file_alone()
    {
        await using var server = await StartAsync(Files);
        var file = _out.File("notes.txt");
        await File.WriteAllTextAsync(file, "keep me");

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--out", file);

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.Equal($"agentq: cannot write {file}: it is a file, not a directory", result.ErrorLine);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
        Assert.Empty(result.Stdout);
    }

    [Fact]
    public async Task Out_below_a_file_is_one_line_not_an_unexpected_error()
    {
        await using var server = await StartAsync(Files);
        var file = _out.File("notes.txt");
        await File.WriteAllTextAsync(file, "keep me");
        var below = Path.Combine(file, "out");

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--out", below);

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.StartsWith($"agentq: cannot write {below}: ", result.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", result.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.ErrorLine, StringComparison.Ordinal);
        Assert.Equal("keep me", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Out_in_a_directory_without_write_permission_is_one_line_and_writes_nothing()
    {
        await using var server = await StartAsync(Files);
        var directory = UnwritableDirectory();

        var result = await CliRunner.RunAsync(_environment, "result", "t-1", "--out", directory, "--json");

        Assert.Equal((int)ExitCode.Error, result.ExitCode);
        Assert.Equal($"agentq: cannot write {directory}: permission denied (result.json)", result.ErrorLine);
        Assert.Empty(result.Stdout);
        Assert.False(File.Exists(Path.Combine(directory, "result.json")));
    }

    /// <summary>
    /// A directory this process cannot create files in: a scratch directory made read-only, or, when that does not
    /// stop this user (root), /sys, where nobody can create files.
    /// </summary>
    private string UnwritableDirectory()
    {
        var directory = Directory.CreateDirectory(_out.File("read-only")).FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        try
        {
            File.WriteAllText(Path.Combine(directory, "probe"), string.Empty);
        }
        catch (UnauthorizedAccessException)
        {
            return directory;
        }

        return "/sys";
    }

    [Theory]
    [InlineData("results/review.md", true)]
    [InlineData("results/review.json", true)]
    [InlineData("artifacts/review/a/b.txt", true)]
    [InlineData("results/reviewer.md", false)]
    [InlineData("artifacts/reviewer/x", false)]
    [InlineData("spec.json", false)]
    public void Role_filter_keeps_the_role_files_only(string path, bool belongs)
    {
        Assert.Equal(belongs, ResultDownloader.BelongsTo(path, "review"));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a\\b")]
    public void Local_path_refuses_paths_that_leave_the_directory(string path)
    {
        Assert.Throws<CliException>(() => ResultDownloader.LocalPath(_out.Path, path));
    }
}
