using System.Text;
using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Tasks;

namespace AgentFunctions.Core.Tests.Storage;

public sealed class FileSystemDeadLetterStoreTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private readonly TestDirectory _dir = new();
    private readonly FileSystemDeadLetterStore _store;

    public FileSystemDeadLetterStoreTests() => _store = new FileSystemDeadLetterStore(_dir.Root);

    private static CancellationToken Ct => CancellationToken.None;

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> BadIds => new()
    {
        "", "-a", ".a", "~a", "_a", "../x", "a/b", "a\\b", "..", ".", "a b", "a\nb", "a\n", "a\0", "a:b", "a%2fb",
        "a*", "ａ", "a\u200b", "a/../b", "a.json/..", new string('a', 202),
    };

    [Fact]
    public async Task A_created_record_reads_back_with_every_field()
    {
        var record = Record("task-1", "review") with
        {
            Spec = new TaskSpec { Id = "task-1", From = "coordinator", To = ["review"], Instructions = "Review the change" },
            SpecRef = "tasks/task-1/spec.json",
            ReplayOf = "task-0~review",
            ReplayedAs = "task-2",
            ReplayedAt = At.AddHours(1),
        };

        Assert.True(await _store.TryCreateAsync(record, Ct));

        var read = await _store.GetAsync(record.Id, Ct);
        Assert.Equal(Json(record), Json(read));
        Assert.True(File.Exists(Path.Combine(_dir.Root, "task-1~review.json")));
    }

    [Fact]
    public async Task The_file_is_json_in_the_contract_dialect()
    {
        await _store.TryCreateAsync(Record("task-1", "review"), Ct);

        var text = await File.ReadAllTextAsync(Path.Combine(_dir.Root, "task-1~review.json"), Ct);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("task-1~review", document.RootElement.GetProperty("id").GetString());
        Assert.Equal("task-1", document.RootElement.GetProperty("taskId").GetString());
        Assert.Equal("permanent", document.RootElement.GetProperty("failures")[1].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task A_second_create_with_the_same_id_is_refused_and_keeps_the_first()
    {
        var first = Record("task-1", "review");
        Assert.True(await _store.TryCreateAsync(first, Ct));

        Assert.False(await _store.TryCreateAsync(first with { Reason = "second" }, Ct));

        Assert.Equal(first.Reason, (await _store.GetAsync(first.Id, Ct))!.Reason);
        Assert.Equal(["task-1~review.json"], Directory.GetFiles(_dir.Root).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Of_concurrent_creators_exactly_one_wins_even_across_store_instances()
    {
        for (var round = 0; round < 10; round++)
        {
            var id = ArtifactLayout.DeadLetterId($"task-{round}", "review");
            // Separate instances share no in-process lock: only the filesystem can make this exact.
            var creators = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
                new FileSystemDeadLetterStore(_dir.Root).TryCreateAsync(Record($"task-{round}", "review") with { Reason = $"creator {i}" }, Ct)));

            var results = await Task.WhenAll(creators);

            Assert.Single(results, created => created);
            var winner = Array.IndexOf(results, true);
            Assert.Equal($"creator {winner}", (await _store.GetAsync(id, Ct))!.Reason);
        }

        Assert.Equal(10, Directory.GetFiles(_dir.Root).Length); // no temp file left behind
    }

    [Fact]
    public async Task A_missing_record_reads_as_null()
    {
        Assert.Null(await _store.GetAsync("task-9~review", Ct));
    }

    [Fact]
    public async Task Replace_overwrites_an_existing_record()
    {
        var record = Record("task-1", "review");
        await _store.TryCreateAsync(record, Ct);

        Assert.True(await _store.ReplaceAsync(record with { ReplayedAs = "task-2", ReplayedAt = At }, Ct));

        var read = await _store.GetAsync(record.Id, Ct);
        Assert.Equal("task-2", read!.ReplayedAs);
        Assert.Equal(At, read.ReplayedAt);
        Assert.Single(Directory.GetFiles(_dir.Root));
    }

    [Fact]
    public async Task Of_concurrent_links_to_a_replay_exactly_one_lands()
    {
        var record = Record("task-1", "review");
        await _store.TryCreateAsync(record, Ct);

        var linked = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => _store.TryLinkReplayAsync(record.Id, "task-1.r1", At, Ct)));

        Assert.Single(linked, l => l);
        Assert.Equal(("task-1.r1", (DateTimeOffset?)At), ((await _store.GetAsync(record.Id, Ct))!.ReplayedAs, (await _store.GetAsync(record.Id, Ct))!.ReplayedAt));
        Assert.False(await _store.TryLinkReplayAsync("task-9~review", "task-9.r1", At, Ct));
    }

    [Fact]
    public async Task Replace_of_a_missing_record_creates_nothing()
    {
        Assert.False(await _store.ReplaceAsync(Record("task-1", "review"), Ct));

        Assert.Empty(Directory.GetFileSystemEntries(_dir.Root));
    }

    [Fact]
    public async Task Delete_removes_the_record_once()
    {
        await _store.TryCreateAsync(Record("task-1", "review"), Ct);

        Assert.True(await _store.DeleteAsync("task-1~review", Ct));
        Assert.False(await _store.DeleteAsync("task-1~review", Ct));

        Assert.Null(await _store.GetAsync("task-1~review", Ct));
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Root));
        Assert.True(await _store.TryCreateAsync(Record("task-1", "review"), Ct)); // the id is free again
    }

    [Fact]
    public async Task Listing_orders_by_id_ordinally()
    {
        string[] taskIds = ["b", "a-1", "A", "a.b", "a", "a_1", "B"];
        foreach (var taskId in taskIds)
        {
            await _store.TryCreateAsync(Record(taskId, "review"), Ct);
        }

        var page = await _store.ListAsync(new DeadLetterQuery(), Ct);

        Assert.Equal(taskIds.Select(t => t + "~review").Order(StringComparer.Ordinal), page.Items.Select(r => r.Id));
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task Listing_filters_by_task_and_role()
    {
        await _store.TryCreateAsync(Record("task-1", "review"), Ct);
        await _store.TryCreateAsync(Record("task-1", "docs"), Ct);
        await _store.TryCreateAsync(Record("task-2", "review"), Ct);
        await _store.TryCreateAsync(Record("task-10", "review"), Ct);

        Assert.Equal(["task-1~docs", "task-1~review"], await IdsAsync(new DeadLetterQuery(TaskId: "task-1")));
        Assert.Equal(["task-10~review", "task-1~review", "task-2~review"], await IdsAsync(new DeadLetterQuery(Role: "review"))); // ordinal: '0' sorts before '~'
        Assert.Equal(["task-2~review"], await IdsAsync(new DeadLetterQuery(TaskId: "task-2", Role: "review")));
        Assert.Empty(await IdsAsync(new DeadLetterQuery(TaskId: "task-2", Role: "docs")));
        Assert.Equal(4, (await IdsAsync(new DeadLetterQuery(TaskId: "", Role: ""))).Count);
    }

    [Fact]
    public async Task Paging_walks_every_record_once_and_ends_with_no_token()
    {
        var expected = new List<string>();
        for (var i = 0; i < 23; i++)
        {
            var record = Record($"task-{i:D2}", i % 3 == 0 ? "docs" : "review");
            await _store.TryCreateAsync(record, Ct);
            expected.Add(record.Id);
        }

        var (ids, pages) = await WalkAsync(new DeadLetterQuery(Top: 5));
        Assert.Equal(expected, ids);
        Assert.Equal(5, pages);

        var (reviewIds, reviewPages) = await WalkAsync(new DeadLetterQuery(Top: 5, Role: "review"));
        Assert.Equal(expected.Where(id => id.EndsWith("~review", StringComparison.Ordinal)), reviewIds);
        Assert.Equal(3, reviewPages); // 15 matches: 5 + 5 + 5, and the third page knows it is the last

        var (all, onePage) = await WalkAsync(new DeadLetterQuery(Top: 23));
        Assert.Equal(expected, all);
        Assert.Equal(1, onePage);
    }

    [Fact]
    public async Task A_page_size_outside_1_to_1000_is_clamped()
    {
        for (var i = 0; i < 3; i++)
        {
            await _store.TryCreateAsync(Record($"task-{i}", "review"), Ct);
        }

        var zero = await _store.ListAsync(new DeadLetterQuery(Top: 0), Ct);
        var negative = await _store.ListAsync(new DeadLetterQuery(Top: -7), Ct);
        var huge = await _store.ListAsync(new DeadLetterQuery(Top: int.MaxValue), Ct);

        Assert.Single(zero.Items);
        Assert.NotNull(zero.ContinuationToken);
        Assert.Single(negative.Items);
        Assert.Equal(3, huge.Items.Count);
        Assert.Null(huge.ContinuationToken);
    }

    [Theory]
    [InlineData("!!!not-base64!!!")]
    [InlineData("a b")]
    [InlineData("Li4veA")] // "../x"
    [InlineData("YSBi")] // "a b"
    [InlineData("_w")] // not UTF-8
    public async Task A_token_that_did_not_come_from_the_store_is_refused(string token)
    {
        await _store.TryCreateAsync(Record("task-1", "review"), Ct);

        await Assert.ThrowsAsync<ArgumentException>(() => _store.ListAsync(new DeadLetterQuery(ContinuationToken: token), Ct));
    }

    [Fact]
    public async Task The_token_is_url_safe_and_opaque()
    {
        for (var i = 0; i < 3; i++)
        {
            await _store.TryCreateAsync(Record($"task-{i}", "review"), Ct);
        }

        var page = await _store.ListAsync(new DeadLetterQuery(Top: 1), Ct);

        Assert.Matches("^[A-Za-z0-9_-]+$", page.ContinuationToken!);
        Assert.Equal("task-0~review", Encoding.UTF8.GetString(Convert.FromBase64String(Pad(page.ContinuationToken!))));
    }

    [Theory]
    [MemberData(nameof(BadIds))]
    public async Task Every_operation_refuses_a_bad_id_and_writes_nothing(string id)
    {
        var before = _dir.Snapshot();

        await Assert.ThrowsAsync<ArgumentException>(() => _store.TryCreateAsync(Record("task-1", "review") with { Id = id }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.ReplaceAsync(Record("task-1", "review") with { Id = id }, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.GetAsync(id, Ct));
        await Assert.ThrowsAsync<ArgumentException>(() => _store.DeleteAsync(id, Ct));

        Assert.Equal(before, _dir.Snapshot());
    }

    [Fact]
    public void The_id_rule_accepts_what_the_decider_produces()
    {
        Assert.True(DeadLetterId.IsValid(ArtifactLayout.DeadLetterId("task-1", "review")));
        Assert.True(DeadLetterId.IsValid(ArtifactLayout.DeadLetterId(new string('t', 100), new string('r', 40))));
        Assert.True(DeadLetterId.IsValid(new string('a', 201)));
        Assert.False(DeadLetterId.IsValid(null));
    }

    [Fact]
    public async Task A_corrupt_record_is_an_error_naming_its_id_and_listing_skips_it()
    {
        await _store.TryCreateAsync(Record("task-1", "review"), Ct);
        await _store.TryCreateAsync(Record("task-3", "review"), Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir.Root, "task-2~review.json"), "{ \"id\": \"task-2~re", Ct);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _store.GetAsync("task-2~review", Ct));
        Assert.Contains("task-2~review", error.Message, StringComparison.Ordinal);

        Assert.Equal(["task-1~review", "task-3~review"], await IdsAsync(new DeadLetterQuery()));
    }

    [Theory]
    [InlineData("null")]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("{\"id\":\"someone-else\",\"taskId\":\"t\",\"role\":\"r\",\"attempts\":1,\"reason\":\"x\",\"deadLetteredAt\":\"2025-01-01T00:00:00Z\"}")]
    public async Task A_file_that_is_json_but_not_this_record_is_corrupt(string json)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir.Root, "task-1~review.json"), json, Ct);

        await Assert.ThrowsAsync<InvalidDataException>(() => _store.GetAsync("task-1~review", Ct));
    }

    [Fact]
    public async Task Listing_ignores_temp_files_links_and_foreign_files()
    {
        await _store.TryCreateAsync(Record("task-1", "review"), Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir.Root, ".tmp!0123.json"), Json(Record("task-2", "review")), Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir.Root, "notes.txt"), "hello", Ct);
        await File.WriteAllTextAsync(Path.Combine(_dir.Root, "bad name.json"), "{}", Ct);
        var outside = Path.Combine(_dir.Outside, "task-3~review.json");
        await File.WriteAllTextAsync(outside, Json(Record("task-3", "review")), Ct);
        File.CreateSymbolicLink(Path.Combine(_dir.Root, "task-3~review.json"), outside);

        Assert.Equal(["task-1~review"], await IdsAsync(new DeadLetterQuery()));
        await Assert.ThrowsAsync<UnauthorizedAccessException>(() => _store.GetAsync("task-3~review", Ct));
    }

    [Fact]
    public async Task A_missing_folder_lists_empty_and_is_recreated_on_create()
    {
        Directory.Delete(_dir.Root, recursive: true);

        Assert.Empty((await _store.ListAsync(new DeadLetterQuery(), Ct)).Items);
        Assert.True(await _store.TryCreateAsync(Record("task-1", "review"), Ct));
        Assert.NotNull(await _store.GetAsync("task-1~review", Ct));
    }

    [Fact]
    public async Task Flushing_to_disk_behaves_like_the_default()
    {
        var store = new FileSystemDeadLetterStore(_dir.Root, new FileSystemDeadLetterStoreOptions { FlushToDisk = true });
        var record = Record("task-1", "review");

        Assert.True(await store.TryCreateAsync(record, Ct));
        Assert.False(await store.TryCreateAsync(record, Ct));
        Assert.True(await store.ReplaceAsync(record with { Reason = "replaced" }, Ct));
        Assert.Equal("replaced", (await store.GetAsync(record.Id, Ct))!.Reason);
        Assert.True(await store.DeleteAsync(record.Id, Ct));
    }

    private static DeadLetterRecord Record(string taskId, string role) => new()
    {
        Id = ArtifactLayout.DeadLetterId(taskId, role),
        TaskId = taskId,
        Role = role,
        Attempts = 2,
        Failures =
        [
            new AttemptFailure(1, At.AddMinutes(-1), FailureKind.Transient, "HTTP 503"),
            new AttemptFailure(2, At, FailureKind.Permanent, "agent said: cannot do this"),
        ],
        Reason = "permanent failure",
        DeadLetteredAt = At,
    };

    private static string Json(DeadLetterRecord? record) => JsonSerializer.Serialize(record, CoreJson.Options);

    private static string Pad(string base64Url)
    {
        var base64 = base64Url.Replace('-', '+').Replace('_', '/');
        return base64 + new string('=', (4 - (base64.Length % 4)) % 4);
    }

    private async Task<List<string>> IdsAsync(DeadLetterQuery query) =>
        (await _store.ListAsync(query, Ct)).Items.Select(r => r.Id).ToList();

    private async Task<(List<string> Ids, int Pages)> WalkAsync(DeadLetterQuery query)
    {
        var ids = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await _store.ListAsync(query with { ContinuationToken = token }, Ct);
            pages++;
            Assert.InRange(page.Items.Count, 1, query.Top);
            ids.AddRange(page.Items.Select(r => r.Id));
            token = page.ContinuationToken;
        }
        while (token is not null && pages < 100);

        return (ids, pages);
    }
}
