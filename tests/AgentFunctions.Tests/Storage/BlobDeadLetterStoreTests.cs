using System.Text.Json;
using AgentFunctions.Core.Json;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Moq;

namespace AgentFunctions.Tests.Storage;

public sealed class BlobDeadLetterStoreTests
{
    private static readonly DeadLetterRecord Record = new()
    {
        Id = "t1~review",
        TaskId = "t1",
        Role = "review",
        Attempts = 3,
        Failures = [new AttemptFailure(3, new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero), FailureKind.Transient, "503")],
        Reason = "gave up after 3 attempts",
        DeadLetteredAt = new DateTimeOffset(2025, 1, 1, 8, 0, 0, TimeSpan.Zero),
    };

    private readonly Mock<BlobContainerClient> _container = new();
    private readonly Mock<BlobClient> _blob = new();

    public BlobDeadLetterStoreTests() =>
        _container.Setup(c => c.GetBlobClient("t1~review.json")).Returns(_blob.Object);

    [Fact]
    public async Task Create_is_a_conditional_upload_that_never_overwrites()
    {
        BlobUploadOptions? options = null;
        BinaryData? body = null;
        _blob.Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .Callback((BinaryData data, BlobUploadOptions o, CancellationToken _) => (body, options) = (data, o))
            .ReturnsAsync(Mock.Of<Response<BlobContentInfo>>());
        var store = new BlobDeadLetterStore(_container.Object);

        Assert.True(await store.TryCreateAsync(Record, default));

        Assert.Equal(ETag.All, options!.Conditions.IfNoneMatch);
        Assert.Equal(ArtifactContentTypes.Json, options.HttpHeaders.ContentType);
        Assert.Equal("t1~review", JsonDocument.Parse(body!.ToString()).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Create_of_an_existing_record_answers_false()
    {
        _blob.Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new RequestFailedException(409, "exists", "BlobAlreadyExists", null));

        Assert.False(await new BlobDeadLetterStore(_container.Object).TryCreateAsync(Record, default));
    }

    [Fact]
    public async Task Replace_only_overwrites_a_record_that_exists()
    {
        BlobUploadOptions? options = null;
        _blob.Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .Callback((BinaryData _, BlobUploadOptions o, CancellationToken _) => options = o)
            .ThrowsAsync(new RequestFailedException(412, "gone", "ConditionNotMet", null));

        Assert.False(await new BlobDeadLetterStore(_container.Object).ReplaceAsync(Record with { ReplayedAs = "t2" }, default));
        Assert.Equal(ETag.All, options!.Conditions.IfMatch);
    }

    [Fact]
    public async Task Get_reads_the_record_and_null_when_missing()
    {
        var json = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(Record, CoreJson.Options));
        _blob.Setup(b => b.DownloadContentAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(BlobsModelFactory.BlobDownloadResult(json), Mock.Of<Response>()));
        var missing = new Mock<BlobClient>();
        missing.Setup(b => b.DownloadContentAsync(It.IsAny<CancellationToken>())).ThrowsAsync(new RequestFailedException(404, "none", "BlobNotFound", null));
        _container.Setup(c => c.GetBlobClient("t9~docs.json")).Returns(missing.Object);
        var store = new BlobDeadLetterStore(_container.Object);

        var read = await store.GetAsync("t1~review", default);

        Assert.Equal(Record.Reason, read!.Reason);
        Assert.Equal(Record.Failures, read.Failures);
        Assert.Null(await store.GetAsync("t9~docs", default));
    }

    [Fact]
    public async Task A_blob_holding_another_records_id_is_refused()
    {
        var json = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(Record with { Id = "t2~docs" }, CoreJson.Options));
        _blob.Setup(b => b.DownloadContentAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(BlobsModelFactory.BlobDownloadResult(json), Mock.Of<Response>()));

        await Assert.ThrowsAsync<InvalidDataException>(() => new BlobDeadLetterStore(_container.Object).GetAsync("t1~review", default));
    }

    [Fact]
    public async Task List_by_task_uses_the_id_prefix_and_passes_the_continuation_on()
    {
        var json = BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(Record, CoreJson.Options));
        _blob.Setup(b => b.DownloadContentAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(Response.FromValue(BlobsModelFactory.BlobDownloadResult(json), Mock.Of<Response>()));
        var page = Page<BlobItem>.FromValues([BlobsModelFactory.BlobItem(name: "t1~review.json")], "next-marker", Mock.Of<Response>());
        _container.Setup(c => c.GetBlobsAsync(BlobTraits.None, BlobStates.None, "t1~", It.IsAny<CancellationToken>()))
            .Returns(AsyncPageable<BlobItem>.FromPages([page]));
        var store = new BlobDeadLetterStore(_container.Object);

        var listed = await store.ListAsync(new DeadLetterQuery(Top: 10, TaskId: "t1"), default);

        Assert.Equal(["t1~review"], listed.Items.Select(r => r.Id));
        Assert.NotNull(listed.ContinuationToken);
        Assert.NotEqual("next-marker", listed.ContinuationToken); // opaque to clients
    }
}
