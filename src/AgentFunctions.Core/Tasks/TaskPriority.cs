namespace AgentFunctions.Core.Tasks;

/// <summary>Dispatch order among due attempts: higher first.</summary>
public enum TaskPriority
{
    Low = 0,
    Normal = 1,
    High = 2,
    Critical = 3,
}
