using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Storage;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Moq;

namespace AgentFunctions.Tests.Storage;

/// <summary>
/// Replacing a record that was deleted meanwhile. Azure Storage refuses a Put Blob with <c>If-Match: *</c> on a missing
/// blob (412), but Azurite 3.35 (the newest that runs on Node 20) creates the blob instead (Azure/Azurite#2589, fixed
/// in later releases), so this one path is shown with the answer Azure gives.
/// </summary>
public sealed class BlobDeadLetterStoreReplaceTests
{
    [Fact]
    public async Task Replace_of_a_record_deleted_meanwhile_answers_false_instead_of_bringing_it_back()
    {
        var container = new Mock<BlobContainerClient>();
        var blob = new Mock<BlobClient>();
        container.Setup(c => c.GetBlobClient("t1~review.json")).Returns(blob.Object);
        BlobUploadOptions? options = null;
        blob.Setup(b => b.UploadAsync(It.IsAny<BinaryData>(), It.IsAny<BlobUploadOptions>(), It.IsAny<CancellationToken>()))
            .Callback((BinaryData _, BlobUploadOptions o, CancellationToken _) => options = o)
            .ThrowsAsync(new RequestFailedException(412, "The condition specified using HTTP conditional header(s) is not met.", "ConditionNotMet", null));
        var record = new DeadLetterRecord
        {
            Id = "t1~review",
            TaskId = "t1",
            Role = "review",
            Attempts = 1,
            Failures = [new AttemptFailure(1, DateTimeOffset.UnixEpoch, FailureKind.Permanent, "bad input")],
            Reason = "bad input",
            DeadLetteredAt = DateTimeOffset.UnixEpoch,
            ReplayedAs = "t2",
        };

        Assert.False(await new BlobDeadLetterStore(container.Object).ReplaceAsync(record, default));
        Assert.Equal(ETag.All, options!.Conditions.IfMatch);
    }
}
