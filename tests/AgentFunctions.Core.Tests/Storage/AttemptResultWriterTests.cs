using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Runners;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;
using AgentFunctions.Core.Workflow;

namespace AgentFunctions.Core.Tests.Storage;

/// <summary>Storing what an attempt produced, on a real artifact store in a temp directory.</summary>
public sealed class AttemptResultWriterTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private static readonly string LongestTaskId = new('t', Identifiers.MaxTaskIdLength);
    private static readonly string LongestRole = new('r', Identifiers.MaxRoleLength);

    private readonly TestDirectory _dir = new();
    private readonly FileSystemArtifactStore _store;
    private readonly AttemptResultWriter _writer;

    public AttemptResultWriterTests()
    {
        _store = new FileSystemArtifactStore(_dir.Root);
        _writer = new AttemptResultWriter(_store, new TaskLimits(), new ManualTimeProvider(Now));
    }

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Result_and_artifacts_are_written_in_the_artifact_layout()
    {
        var result = new AgentResult
        {
            Summary = "Added the test",
            Result = "# Done\n\nAll green.\n",
            Artifacts =
            [
                new AgentArtifact { Name = "notes/review.md", Content = "# Notes\n" },
                new AgentArtifact { Name = "bin/data.bin", Content = Convert.ToBase64String([0, 1, 254, 255]), Encoding = "base64" },
            ],
            Usage = new AgentUsage { InputTokens = 10, OutputTokens = 5, CostUsd = 0.002m },
        };

        var stored = await _writer.WriteAsync("t1", "impl", 2, result, Ct);

        Assert.Equal("Added the test", stored.Summary);
        Assert.Equal("tasks/t1/results/impl.md", stored.ResultRef);
        Assert.Equal(["tasks/t1/artifacts/impl/notes/review.md", "tasks/t1/artifacts/impl/bin/data.bin"], stored.Artifacts);
        Assert.Equal(result.Usage, stored.Usage);
        Assert.Equal(
            ["tasks/t1/artifacts/impl/bin/data.bin", "tasks/t1/artifacts/impl/notes/review.md", "tasks/t1/results/impl.json", "tasks/t1/results/impl.md"],
            await ListAsync("tasks/t1/"));
        Assert.Equal("# Done\n\nAll green.\n", await _store.ReadTextAsync("tasks/t1/results/impl.md", Ct));
        Assert.Equal("# Notes\n", await _store.ReadTextAsync("tasks/t1/artifacts/impl/notes/review.md", Ct));
        Assert.Equal(new byte[] { 0, 1, 254, 255 }, await File.ReadAllBytesAsync(Path.Combine(_dir.Root, "tasks", "t1", "artifacts", "impl", "bin", "data.bin"), Ct));

        var record = (await _store.ReadJsonAsync<JsonElement>("tasks/t1/results/impl.json", Ct))!;
        Assert.Equal("t1", record.GetProperty("taskId").GetString());
        Assert.Equal("impl", record.GetProperty("role").GetString());
        Assert.Equal(2, record.GetProperty("attempt").GetInt32());
        Assert.Equal("completed", record.GetProperty("status").GetString());
        Assert.Equal("Added the test", record.GetProperty("summary").GetString());
        Assert.Equal("tasks/t1/results/impl.md", record.GetProperty("resultRef").GetString());
        Assert.Equal(2, record.GetProperty("artifacts").GetArrayLength());
        Assert.Equal(10, record.GetProperty("usage").GetProperty("inputTokens").GetInt64());
        Assert.Equal(Now, record.GetProperty("writtenAt").GetDateTimeOffset());
    }

    [Fact]
    public void Longest_name_fits_the_stored_path_of_the_longest_task_id_and_role()
    {
        var stored = ArtifactLayout.Artifact(LongestTaskId, LongestRole, LongName(AttemptResultWriter.MaxArtifactNameLength));

        Assert.Equal(866, AttemptResultWriter.MaxArtifactNameLength);
        Assert.Equal(ArtifactPath.MaxLength, stored.Length);
        Assert.True(ArtifactPath.IsValid(stored));
    }

    [Fact]
    public async Task Name_of_the_longest_length_is_stored_for_the_longest_task_id_and_role()
    {
        var name = LongName(AttemptResultWriter.MaxArtifactNameLength);
        var result = new AgentResult { Result = "ok", Artifacts = [new AgentArtifact { Name = name, Content = "x" }] };

        Assert.Empty(_writer.Validate(LongestTaskId, LongestRole, result));
        var stored = await _writer.WriteAsync(LongestTaskId, LongestRole, 1, result, Ct);

        Assert.Equal(ArtifactPath.MaxLength, Assert.Single(stored.Artifacts).Length);
        Assert.Equal("x", await _store.ReadTextAsync(stored.Artifacts[0], Ct));
    }

    [Fact]
    public async Task Name_too_long_for_the_stored_path_is_refused_and_nothing_is_written()
    {
        var result = new AgentResult
        {
            Result = "ok",
            Artifacts =
            [
                new AgentArtifact { Name = "first.txt", Content = "would be written first" },
                new AgentArtifact { Name = LongName(AttemptResultWriter.MaxArtifactNameLength + 1), Content = "x" },
            ],
        };
        var before = _dir.Snapshot();

        var problems = _writer.Validate(result);
        var ownProblems = _writer.Validate(LongestTaskId, LongestRole, result);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _writer.WriteAsync(LongestTaskId, LongestRole, 1, result, Ct));

        const string Expected = "artifacts[1].name: the name is 867 characters; at most 866 fit in tasks/<id>/artifacts/<role>/<name>";
        Assert.Equal(Expected, Assert.Single(problems).ToString());
        Assert.Equal(Expected, Assert.Single(ownProblems).ToString());
        Assert.Contains(Expected, refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, _dir.Snapshot());
    }

    [Theory]
    [InlineData("../escape.txt")]
    [InlineData("a/../../escape.txt")]
    [InlineData("./a.txt")]
    [InlineData("/etc/passwd")]
    [InlineData("C:/windows/x.txt")]
    [InlineData("a\\..\\b.txt")]
    [InlineData("a//b.txt")]
    [InlineData("a/")]
    [InlineData("")]
    [InlineData("a\u0000b")]
    [InlineData("new\nline")]
    [InlineData("with space.txt")]
    [InlineData("%2e%2e/x")]
    public async Task Traversal_and_malformed_names_are_refused_and_nothing_is_written(string name)
    {
        var result = new AgentResult
        {
            Result = "ok",
            Artifacts = [new AgentArtifact { Name = "good.txt", Content = "good" }, new AgentArtifact { Name = name, Content = "evil" }],
        };
        var before = _dir.Snapshot();

        var problem = Assert.Single(_writer.Validate(result));
        await Assert.ThrowsAsync<ArgumentException>(() => _writer.WriteAsync("t1", "impl", 1, result, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _writer.WriteDiscardedAsync("t1", "impl", 1, result, Ct));

        Assert.Equal("artifacts[1].name", problem.Field);
        Assert.Equal(before, _dir.Snapshot());
    }

    [Fact]
    public async Task Task_id_or_role_that_would_leave_the_task_folder_is_refused()
    {
        var result = AgentResult.Completed("ok");
        var before = _dir.Snapshot();

        var problems = _writer.Validate("..", "impl", result);
        await Assert.ThrowsAsync<ArgumentException>(() => _writer.WriteAsync("t1", "../../x", 1, result, Ct));

        Assert.Equal(
        [
            "$: 'tasks/../results/impl.md' is not a valid artifact path: the path must not contain '.' or '..' segments",
            "$: 'tasks/../results/impl.json' is not a valid artifact path: the path must not contain '.' or '..' segments",
        ],
        problems.Select(p => p.ToString()));
        Assert.Equal(before, _dir.Snapshot());
    }

    [Fact]
    public async Task Bad_content_of_a_later_artifact_leaves_nothing_written()
    {
        var result = new AgentResult
        {
            Result = "ok",
            Artifacts =
            [
                new AgentArtifact { Name = "first.txt", Content = "fine" },
                new AgentArtifact { Name = "second.bin", Content = "not base64!", Encoding = "base64" },
                new AgentArtifact { Name = "third.txt", Content = "x", Encoding = "latin-1" },
            ],
        };
        var before = _dir.Snapshot();

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => _writer.WriteAsync("t1", "impl", 1, result, Ct));

        Assert.Contains("artifacts[1].content: is not valid base64; artifacts[2].encoding: must be \"utf-8\" or \"base64\"", refused.Message, StringComparison.Ordinal);
        Assert.Equal(before, _dir.Snapshot());
    }

    [Fact]
    public async Task Artifact_over_the_configured_limit_is_refused_as_too_large()
    {
        var writer = new AttemptResultWriter(_store, new TaskLimits { MaxArtifactBytes = 4 }, TimeProvider.System);
        var result = new AgentResult { Result = "ok", Artifacts = [new AgentArtifact { Name = "big.txt", Content = "12345" }] };

        var problem = Assert.Single(writer.Validate(result));

        Assert.Equal("artifacts[0].content: is 5 bytes; the limit is 4", problem.ToString());
        Assert.True(problem.TooLarge);
        await Assert.ThrowsAsync<ArgumentException>(() => writer.WriteAsync("t1", "impl", 1, result, Ct));
        Assert.Empty(await ListAsync("tasks/"));
    }

    [Fact]
    public async Task Late_result_is_kept_apart_under_discarded_even_with_the_longest_names()
    {
        var longName = LongName(AttemptResultWriter.MaxArtifactNameLength - 4) + ".txt";
        var result = new AgentResult
        {
            Result = "late",
            Artifacts = [new AgentArtifact { Name = "notes/a.md", Content = "a" }, new AgentArtifact { Name = longName, Content = "long" }],
        };

        await _writer.WriteDiscardedAsync("t1", "impl", 2, result, Ct);

        var paths = await ListAsync("tasks/t1/");
        Assert.Equal(3, paths.Count);
        Assert.Contains("tasks/t1/discarded/impl/attempt-2/results_impl.md", paths);
        Assert.Contains("tasks/t1/discarded/impl/attempt-2/artifacts_impl_notes_a.md", paths);
        var shortened = Assert.Single(paths, p => p.Contains('~', StringComparison.Ordinal));
        var segment = shortened[(shortened.LastIndexOf('/') + 1)..];
        Assert.Equal(ArtifactPath.MaxSegmentLength, segment.Length);
        Assert.StartsWith("artifacts_impl_nnn", segment, StringComparison.Ordinal);
        Assert.EndsWith(".txt", segment, StringComparison.Ordinal);
        Assert.Equal("long", await _store.ReadTextAsync(shortened, Ct));
        Assert.Empty(await ListAsync("tasks/t1/results/"));
    }

    [Fact]
    public async Task Stored_result_of_a_canceled_attempt_moves_to_discarded()
    {
        var stored = await _writer.WriteAsync("t1", "impl", 1, new AgentResult
        {
            Result = "done",
            Artifacts = [new AgentArtifact { Name = "a.txt", Content = "a" }],
        }, Ct);

        await _writer.DiscardAsync("t1", "impl", 1, stored, Ct);

        Assert.Equal(
        [
            "tasks/t1/discarded/impl/attempt-1/artifacts_impl_a.txt",
            "tasks/t1/discarded/impl/attempt-1/results_impl.json",
            "tasks/t1/discarded/impl/attempt-1/results_impl.md",
        ],
        await ListAsync("tasks/t1/"));
        Assert.Equal("done", await _store.ReadTextAsync("tasks/t1/discarded/impl/attempt-1/results_impl.md", Ct));
    }

    /// <summary>A valid name of exactly <paramref name="length"/> characters, in segments of at most 200.</summary>
    private static string LongName(int length)
    {
        var name = new StringBuilder().Append('n', Math.Min(200, length));
        while (name.Length < length)
        {
            // A slash only where at least one character can follow it.
            var segment = Math.Min(200, length - name.Length - 1);
            name.Append(segment > 0 ? "/" : "n").Append('n', Math.Max(segment, 0));
        }

        return name.ToString();
    }

    private async Task<List<string>> ListAsync(string prefix)
    {
        var paths = new List<string>();
        await foreach (var info in _store.ListAsync(prefix, Ct))
        {
            paths.Add(info.Path);
        }

        return paths;
    }
}
