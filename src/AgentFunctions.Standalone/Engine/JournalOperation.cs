namespace AgentFunctions.Standalone.Engine;

/// <summary>One queued unit of work for the journal; answered only after its batch commits.</summary>
public abstract class JournalOperation
{
    public abstract void Run(BatchContext context);

    public abstract void Complete();

    public abstract void Fail(Exception exception);
}
