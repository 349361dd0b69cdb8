using RControl.Host.Cli.Running;
using RControl.Protocol;

namespace RControl.Cli.Tests.Unit;

/// <summary>A command's unit reads the engine's <see cref="CommandResult"/> as it is, instead of a copy of its fields.</summary>
public sealed class RunUnitTests
{
    [Fact]
    public void A_command_unit_reads_times_exit_code_and_outcome_from_its_result()
    {
        var started = DateTimeOffset.UtcNow.AddSeconds(-2);
        var ended = started.AddSeconds(1.5);
        var unit = new RunUnit("web1", "exit 3") { State = RunState.Running, StartedAt = DateTimeOffset.UtcNow };
        var result = new CommandResult(CommandEnd.Exited, 3, started, ended, null);

        unit.End(result, null);

        Assert.Same(result, unit.Result);
        Assert.Equal(RunState.Succeeded, unit.State);
        Assert.Equal((3, started, ended, false), (unit.ExitCode, unit.StartedAt, unit.EndedAt, unit.TimedOut));
        Assert.Equal(TimeSpan.FromSeconds(1.5), unit.Elapsed(DateTimeOffset.UtcNow));
    }

    [Fact]
    public void Once_ended_the_result_wins_over_fields_set_before()
    {
        var now = DateTimeOffset.UtcNow;
        var unit = new RunUnit("web1", "sleep 9") { ExitCode = 7, TimedOut = false, EndedAt = now.AddDays(-1) };
        unit.End(new CommandResult(CommandEnd.Killed, null, now, now, null), "killed");

        Assert.Null(unit.ExitCode);
        Assert.Equal(now, unit.EndedAt);
        Assert.Equal("killed", unit.Error);
    }
}
