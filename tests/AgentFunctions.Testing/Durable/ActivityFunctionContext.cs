using System.Collections.Concurrent;
using Microsoft.Azure.Functions.Worker;

namespace AgentFunctions.Testing.Durable;

/// <summary>
/// The <see cref="FunctionContext"/> an activity invocation gets here: its services, its cancellation and its
/// identity. The Functions host's binding, retry and trace machinery does not exist outside the host, so those
/// members say so when something reads them.
/// </summary>
internal sealed class ActivityFunctionContext(string functionName, string instanceId, IServiceProvider services, CancellationToken cancellationToken) : FunctionContext
{
    public override string InvocationId { get; } = Guid.NewGuid().ToString("N");

    public override string FunctionId => functionName;

    /// <summary>The orchestration instance that called the activity.</summary>
    public string InstanceId => instanceId;

    public override TraceContext TraceContext => throw NotHosted(nameof(TraceContext));

    public override BindingContext BindingContext => throw NotHosted(nameof(BindingContext));

    public override RetryContext RetryContext => throw NotHosted(nameof(RetryContext));

    public override IServiceProvider InstanceServices { get; set; } = services;

    public override FunctionDefinition FunctionDefinition => throw NotHosted(nameof(FunctionDefinition));

    public override IDictionary<object, object> Items { get; set; } = new ConcurrentDictionary<object, object>();

    public override IInvocationFeatures Features => throw NotHosted(nameof(Features));

    public override CancellationToken CancellationToken => cancellationToken;

    private static NotSupportedException NotHosted(string member) =>
        new($"FunctionContext.{member} exists only inside the Functions host; activities run here on the plain Durable worker.");
}
