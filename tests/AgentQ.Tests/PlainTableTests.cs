using AgentQ.Output;

namespace AgentQ.Tests;

public sealed class PlainTableTests
{
    [Fact]
    public void Columns_are_aligned_and_cells_kept_on_one_line()
    {
        var text = PlainTable.Render(new TableData(["ID", "STATE", "DETAIL"], [["t-1", "running", "line one\nline two"], ["task-22", "", "x"]]));

        Assert.Equal("ID       STATE    DETAIL\nt-1      running  line one line two\ntask-22  -        x\n", text);
    }
}
