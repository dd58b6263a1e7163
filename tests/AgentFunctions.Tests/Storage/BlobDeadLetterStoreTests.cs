using System.Text.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Storage;
using AgentFunctions.Testing.Azurite;
using Azure.Storage.Blobs;

namespace AgentFunctions.Tests.Storage;

/// <summary>The Blob dead-letter store against Azurite, through the real Azure.Storage.Blobs client.</summary>
[Collection(AzuriteFixture.Collection)]
public sealed class BlobDeadLetterStoreTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset At = new(2025, 1, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly BlobContainerClient _container = new(azurite.ConnectionString, AzuriteFixture.UniqueName("dead-letter"));

    public Task InitializeAsync() => _container.CreateAsync();

    public Task DisposeAsync() => _container.DeleteIfExistsAsync();

    [Fact]
    public async Task A_created_record_reads_back_whole_as_indented_json()
    {
        var store = new BlobDeadLetterStore(_container);

        Assert.True(await store.TryCreateAsync(Record("t1", "review"), default));

        var read = await store.GetAsync("t1~review", default);
        Assert.Equal(Record("t1", "review").Reason, read!.Reason);
        Assert.Equal(Record("t1", "review").Failures, read.Failures);
        var blob = await _container.GetBlobClient("t1~review.json").DownloadContentAsync();
        Assert.Equal(ArtifactContentTypes.Json, blob.Value.Details.ContentType);
        Assert.Equal("t1~review", JsonDocument.Parse(blob.Value.Content.ToString()).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Creating_a_record_that_exists_answers_false_and_the_first_record_stands()
    {
        var store = new BlobDeadLetterStore(_container);
        await store.TryCreateAsync(Record("t1", "review"), default);

        Assert.False(await store.TryCreateAsync(Record("t1", "review") with { Reason = "a second writer" }, default));

        Assert.Equal(Record("t1", "review").Reason, (await store.GetAsync("t1~review", default))!.Reason);
    }

    [Fact]
    public async Task Replace_overwrites_a_record_that_exists()
    {
        var store = new BlobDeadLetterStore(_container);
        await store.TryCreateAsync(Record("t1", "review"), default);

        Assert.True(await store.ReplaceAsync(Record("t1", "review") with { ReplayedAs = "t2", ReplayedAt = At }, default));

        Assert.Equal("t2", (await store.GetAsync("t1~review", default))!.ReplayedAs);
    }

    [Fact]
    public async Task Of_concurrent_links_to_a_replay_exactly_one_lands_even_from_two_store_instances()
    {
        var first = new BlobDeadLetterStore(_container);
        var second = new BlobDeadLetterStore(_container);
        await first.TryCreateAsync(Record("t1", "review"), default);

        var linked = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => (i % 2 == 0 ? first : second).TryLinkReplayAsync("t1~review", "t1.r1", At, default)));

        Assert.Single(linked, l => l);
        Assert.Equal("t1.r1", (await first.GetAsync("t1~review", default))!.ReplayedAs);
        Assert.False(await first.TryLinkReplayAsync("t1~review", "t1.r2", At, default));
        Assert.False(await first.TryLinkReplayAsync("t9~review", "t9.r1", At, default));
    }

    [Fact]
    public async Task A_deleted_record_is_gone()
    {
        var store = new BlobDeadLetterStore(_container);
        await store.TryCreateAsync(Record("t1", "review"), default);

        Assert.True(await store.DeleteAsync("t1~review", default));

        Assert.Null(await store.GetAsync("t1~review", default));
        Assert.False(await store.DeleteAsync("t1~review", default));
    }

    [Fact]
    public async Task A_missing_record_reads_as_null()
    {
        Assert.Null(await new BlobDeadLetterStore(_container).GetAsync("t9~docs", default));
    }

    [Fact]
    public async Task A_blob_holding_another_records_id_is_refused()
    {
        await _container.GetBlobClient("t1~review.json").UploadAsync(BinaryData.FromObjectAsJson(Record("t2", "docs"), Core.Json.CoreJson.Options));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new BlobDeadLetterStore(_container).GetAsync("t1~review", default));

        Assert.Contains("t2~docs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Listing_by_task_pages_through_its_records_only_with_an_opaque_token()
    {
        var store = new BlobDeadLetterStore(_container);
        foreach (var (task, role) in new[] { ("t1", "docs"), ("t1", "impl"), ("t1", "review"), ("t10", "review"), ("t2", "review") })
        {
            await store.TryCreateAsync(Record(task, role), default);
        }

        var first = await store.ListAsync(new DeadLetterQuery(Top: 2, TaskId: "t1"), default);
        var second = await store.ListAsync(new DeadLetterQuery(Top: 2, ContinuationToken: first.ContinuationToken, TaskId: "t1"), default);

        Assert.Equal(["t1~docs", "t1~impl"], first.Items.Select(r => r.Id));
        Assert.NotNull(first.ContinuationToken);
        Assert.DoesNotContain("t1", first.ContinuationToken, StringComparison.Ordinal); // the service's marker, encoded
        Assert.Equal(["t1~review"], second.Items.Select(r => r.Id));
        Assert.Null(second.ContinuationToken);
    }

    [Fact]
    public async Task Listing_by_role_filters_the_records_and_skips_unreadable_blobs()
    {
        var store = new BlobDeadLetterStore(_container);
        await store.TryCreateAsync(Record("t1", "review"), default);
        await store.TryCreateAsync(Record("t2", "docs"), default);
        await store.TryCreateAsync(Record("t3", "review"), default);
        await _container.GetBlobClient("t4~review.json").UploadAsync(BinaryData.FromString("{ not json"));
        await _container.GetBlobClient("notes.txt").UploadAsync(BinaryData.FromString("not a record"));

        var page = await store.ListAsync(new DeadLetterQuery(Role: "review"), default);

        Assert.Equal(["t1~review", "t3~review"], page.Items.Select(r => r.Id));
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task A_continuation_token_that_is_not_one_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() =>
            new BlobDeadLetterStore(_container).ListAsync(new DeadLetterQuery(ContinuationToken: "not base64url!"), default));
    }

    private static DeadLetterRecord Record(string taskId, string role) => new()
    {
        Id = ArtifactLayout.DeadLetterId(taskId, role),
        TaskId = taskId,
        Role = role,
        Attempts = 3,
        Failures = [new AttemptFailure(3, At, FailureKind.Transient, "503")],
        Reason = "gave up after 3 attempts",
        DeadLetteredAt = At,
    };
}
