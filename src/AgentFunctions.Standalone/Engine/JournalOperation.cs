using System.Diagnostics;
using AgentFunctions.Core.Telemetry;

namespace AgentFunctions.Standalone.Engine;

/// <summary>One queued unit of work for the journal; answered only after its batch commits.</summary>
public abstract class JournalOperation
{
    /// <summary>The span that queued the operation (a submit, a lease), which its commit's span links to; default when nobody records spans.</summary>
    public ActivityContext Caller { get; } = AgentTelemetry.Source.HasListeners() ? Activity.Current?.Context ?? default : default;

    public abstract void Run(BatchContext context);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}
