using RControl.Protocol;

namespace RControl.Tests.Core;

/// <summary>A task settles once with one immutable <see cref="CommandResult"/> that callbacks, waits and <c>Tasks</c> all see.</summary>
public sealed class CommandResultTests : IAsyncLifetime
{
    private readonly Support.Engine _engine = new();

    private Session Session => _engine.Local;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task The_result_callbacks_see_is_the_result_the_task_keeps()
    {
        CommandResult? seen = null;
        var task = Session.Execute("exit 3", new CommandOptions { ExpectedExitCode = null, OnDone = t => seen = t.Result });
        Assert.Null(task.Result);
        Assert.Equal(3, await task.WaitAsync());

        var result = Assert.IsType<CommandResult>(task.Result);
        Assert.Same(result, seen);
        Assert.Equal(new CommandResult(CommandEnd.Exited, 3, task.StartedAt, result.EndedAt, null), result);
        Assert.True(result.Succeeded);
        Assert.False(result.TimedOut);
        Assert.Equal(3, task.ExitCode);
        Assert.Equal(result.EndedAt, task.EndedAt);
    }

    [Fact]
    public async Task Waiting_through_the_session_task_list_keeps_the_exit_code()
    {
        _ = Session.Execute("sleep 0.2; exit 7", new CommandOptions { ExpectedExitCode = null });
        RControlTask listed = Assert.Single(Session.Tasks);
        Assert.Equal(7, await listed.WaitAsync());
        Assert.Null(await Session.StartBackground("work", (_, _) => Task.CompletedTask).WaitAsync());
    }

    [Fact]
    public async Task A_timeout_is_an_outcome_of_the_result_and_an_on_done_error_replaces_the_error()
    {
        var task = Session.Execute("sleep 30", new CommandOptions
        {
            Timeout = TimeSpan.FromMilliseconds(200),
            OnDone = _ => throw new InvalidOperationException("callback bug"),
        });
        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync());
        Assert.Contains("on-done callback threw InvalidOperationException", error.Message);

        var result = Assert.IsType<CommandResult>(task.Result);
        Assert.Equal(CommandEnd.TimedOut, result.Outcome);
        Assert.True(result.TimedOut);
        Assert.True(task.TimedOut);
        Assert.Same(error, result.Error);
        Assert.Same(error, task.Error);
        Assert.Null(result.ExitCode);
    }

    [Fact]
    public async Task Awaiting_a_task_gives_its_result_or_throws_its_error_as_wait_does()
    {
        var task = Session.Execute("exit 4", new CommandOptions { ExpectedExitCode = null });
        CommandResult result = await task;
        Assert.Same(task.Result, result);
        Assert.Equal(4, result.ExitCode);
        Assert.Same(result, await task); // awaited again: the same result

        var failing = Session.Execute("exit 5");
        var error = await Assert.ThrowsAsync<ExitCodeException>(async () => await failing);
        Assert.Same(failing.Error, error);
        Assert.Empty(await Session.WaitForTasksAsync()); // awaited: reported there, not again by wait-for-tasks
    }
}
