namespace AgentFunctions.Core.Tasks;

public enum PayloadFormat
{
    Text,
    Json,
}
