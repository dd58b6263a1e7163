using AgentFunctions.Api.Engine;
using AgentFunctions.Core.Configuration;
using AgentFunctions.Core.Retries;
using AgentFunctions.Core.Storage;
using AgentFunctions.Core.Workflow;
using AgentFunctions.Hosting;
using AgentFunctions.Intake;
using AgentFunctions.Orchestration;
using AgentFunctions.Tests.Support;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Moq;

namespace AgentFunctions.Tests.Intake;

public sealed class IntakeTests : IDisposable
{
    private readonly TestApp _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_spec_without_an_id_gets_the_message_id_so_a_redelivery_finds_the_same_task()
    {
        var engine = new Mock<ITaskEngine>();
        engine.Setup(e => e.SubmitAsync(It.IsAny<TaskPlan>(), It.IsAny<CancellationToken>())).ReturnsAsync(new SubmitResult(SubmitOutcome.Created, null));
        var processor = Processor(engine.Object);

        var outcome = await processor.ProcessAsync("0a1b-2c3d", 1, """{ "to": ["review"], "instructions": "Check it." }""", default);

        Assert.Equal(IntakeOutcome.Started, outcome);
        engine.Verify(e => e.SubmitAsync(It.Is<TaskPlan>(p => p.Id == "q-0a1b2c3d"), It.IsAny<CancellationToken>()));
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("""{ "id": "q2", "to": ["nobody"] }""", "nobody")]
    public async Task An_invalid_message_is_dead_lettered_instead_of_retried(string body, string expected)
    {
        var engine = new Mock<ITaskEngine>(MockBehavior.Strict);
        var processor = Processor(engine.Object);

        var outcome = await processor.ProcessAsync("m-1", 1, body, default);

        Assert.Equal(IntakeOutcome.DeadLettered, outcome);
        var record = Assert.Single(_app.DeadLetters.Records.Values);
        Assert.Equal(DeadLetterRecord.IntakeRole, record.Role);
        Assert.Contains(expected, record.Reason, StringComparison.Ordinal);
        Assert.Equal(FailureKind.Permanent, Assert.Single(record.Failures).Kind);
        Assert.EndsWith("~intake-m-1", record.Id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_message_carrying_a_secret_is_dead_lettered_without_its_spec_and_never_started()
    {
        var engine = new Mock<ITaskEngine>(MockBehavior.Strict);
        var key = "AKIA" + "Q3EGRTYW7MZNKX2P";

        var outcome = await Processor(engine.Object).ProcessAsync("m-9", 1, $$"""{ "id": "q9", "to": ["review"], "instructions": "use {{key}}" }""", default);

        Assert.Equal(IntakeOutcome.DeadLettered, outcome);
        var record = Assert.Single(_app.DeadLetters.Records.Values);
        Assert.Null(record.Spec);
        Assert.Contains("aws_access_key_id", record.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(key, record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_secret_scan_flag_a_message_carrying_a_secret_starts_with_a_warning()
    {
        using var flagging = new TestApp(new Dictionary<string, string?> { ["Security:SecretScan"] = "Flag" });
        var engine = new Mock<ITaskEngine>();
        engine.Setup(e => e.SubmitAsync(It.IsAny<TaskPlan>(), It.IsAny<CancellationToken>())).ReturnsAsync(new SubmitResult(SubmitOutcome.Created, null));
        var processor = new IntakeProcessor(
            engine.Object, flagging.DeadLetters, flagging.Get<Core.Roles.RoleCatalog>(), flagging.Get<WorkflowOptions>(), flagging.Get<TaskLimits>(),
            flagging.Get<IntakeSettings>(), flagging.Get<Core.Security.SecurityOptions>(), flagging.Time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<IntakeProcessor>.Instance);

        var body = "{ \"id\": \"q10\", \"to\": [\"review\"], \"instructions\": \"use " + "AKIA" + "Q3EGRTYW7MZNKX2P" + "\" }";
        var outcome = await processor.ProcessAsync("m-10", 1, body, default);

        Assert.Equal(IntakeOutcome.Started, outcome);
        engine.Verify(e => e.SubmitAsync(It.Is<TaskPlan>(p => p.Warnings.Count == 1 && p.Warnings[0].Contains("aws_access_key_id", StringComparison.Ordinal)), It.IsAny<CancellationToken>()));
    }

    [Fact]
    public async Task An_id_taken_by_another_spec_is_dead_lettered_as_a_conflict()
    {
        var engine = new Mock<ITaskEngine>();
        engine.Setup(e => e.SubmitAsync(It.IsAny<TaskPlan>(), It.IsAny<CancellationToken>())).ReturnsAsync(new SubmitResult(SubmitOutcome.Conflict, null));

        var outcome = await Processor(engine.Object).ProcessAsync("m-2", 1, """{ "id": "q3", "to": ["review"], "instructions": "Check it." }""", default);

        Assert.Equal(IntakeOutcome.DeadLettered, outcome);
        var record = Assert.Single(_app.DeadLetters.Records.Values);
        Assert.Equal("q3", record.TaskId);
        Assert.Equal("q3~intake-m-2", record.Id);
        Assert.Contains("different spec", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_engine_failure_propagates_so_the_queue_retries_the_message()
    {
        var engine = new Mock<ITaskEngine>();
        engine.Setup(e => e.SubmitAsync(It.IsAny<TaskPlan>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("storage is slow"));

        await Assert.ThrowsAsync<TimeoutException>(() => Processor(engine.Object).ProcessAsync("m-3", 1, """{ "id": "q4", "to": ["review"], "instructions": "Check it." }""", default));
        Assert.Empty(_app.DeadLetters.Records);
    }

    [Fact]
    public async Task A_poison_record_counts_the_maxDequeueCount_the_app_setting_configures()
    {
        using var app = new TestApp(new Dictionary<string, string?> { [IntakeSettings.MaxDequeueCountKey] = "7" });

        await app.Create<QueueIntakeFunctions>().PoisonAsync(Message("""{ "id": "q6", "to": ["review"], "instructions": "Check it." }""", dequeueCount: 1), default);

        var record = Assert.Single(app.DeadLetters.Records.Values);
        Assert.Equal(7, record.Attempts);
        Assert.Contains("all 7 tries", record.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void The_tries_come_from_host_json_when_no_app_setting_overrides_it()
    {
        var path = Path.Combine(Path.GetTempPath(), $"host-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """
            {
              "version": "2.0", // comments are allowed, and the host reads keys without regard to case
              "extensions": { "Queues": { "MaxDequeueCount": 3, "visibilityTimeout": "00:00:30" } }
            }
            """);
        try
        {
            var empty = new ConfigurationBuilder().Build();
            Assert.Equal(3, IntakeSettings.Load(empty, path).MaxDequeueCount);
            Assert.Equal(IntakeSettings.DefaultMaxDequeueCount, IntakeSettings.Load(empty, path + ".missing").MaxDequeueCount);
            var overridden = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [IntakeSettings.MaxDequeueCountKey] = "9" }).Build();
            Assert.Equal(9, IntakeSettings.Load(overridden, path).MaxDequeueCount);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void An_invalid_maxDequeueCount_stops_the_start_naming_its_key()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [IntakeSettings.MaxDequeueCountKey] = "0" }).Build();

        var error = Assert.Throws<InvalidConfigurationException>(() => IntakeSettings.Load(configuration, null));

        Assert.Contains(IntakeSettings.MaxDequeueCountKey, error.Message, StringComparison.Ordinal);
    }

    private IntakeProcessor Processor(ITaskEngine engine) => new(
        engine,
        _app.DeadLetters,
        _app.Get<Core.Roles.RoleCatalog>(),
        _app.Get<WorkflowOptions>(),
        _app.Get<TaskLimits>(),
        _app.Get<IntakeSettings>(),
        _app.Get<Core.Security.SecurityOptions>(),
        _app.Time,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<IntakeProcessor>.Instance);

    private static QueueMessage Message(string body, long dequeueCount = 1) =>
        QueuesModelFactory.QueueMessage("m-1", "pop-1", body, dequeueCount);
}
