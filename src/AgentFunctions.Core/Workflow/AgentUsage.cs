namespace AgentFunctions.Core.Workflow;

/// <summary>What an attempt cost, as the agent reported it.</summary>
public sealed record AgentUsage
{
    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public decimal CostUsd { get; init; }

    public static AgentUsage operator +(AgentUsage left, AgentUsage right)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        return Add(left, right);
    }

    public static AgentUsage Add(AgentUsage left, AgentUsage right) => new()
    {
        InputTokens = left.InputTokens + right.InputTokens,
        OutputTokens = left.OutputTokens + right.OutputTokens,
        CostUsd = left.CostUsd + right.CostUsd,
    };
}
