using RControl.Tests.Support;

namespace RControl.Tests.Core;

public sealed class WaitForTasksTests : IAsyncLifetime
{
    private readonly Engine _engine = new();

    private LocalSession Session => _engine.Local;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_task_is_registered_before_execute_returns_and_unregistered_when_done()
    {
        var task = Session.Execute("sleep 0.3");
        Assert.Contains(task, Session.Tasks);
        Assert.Same(Session, task.Session);
        await Session.WaitForTasksAsync();
        Assert.Empty(Session.Tasks);
        Assert.False(task.IsRunning);
    }

    [Fact]
    public async Task Wait_without_errors_returns_an_empty_list()
    {
        _ = Session.Execute("true");
        _ = Session.Execute("sleep 0.1");
        Assert.Empty(await Session.WaitForTasksAsync());
    }

    [Fact]
    public async Task Wait_raises_TaskErrors_with_every_error()
    {
        _ = Session.Execute("exit 1");
        _ = Session.Execute("exit 2");
        _ = Session.Execute("true");
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Session.WaitForTasksAsync());
        Assert.Equal(2, errors.Errors.Count);
        Assert.All(errors.Errors, e => Assert.IsType<ExitCodeException>(e));
        Assert.Contains("Got 1", errors.Message);
        Assert.Contains("Got 2", errors.Message);
    }

    [Fact]
    public async Task Wait_can_return_errors_instead_of_raising()
    {
        _ = Session.Execute("exit 1");
        var errors = await Session.WaitForTasksAsync(raiseIfError: false);
        Assert.IsType<ExitCodeException>(Assert.Single(errors));
    }

    [Fact]
    public async Task An_error_is_reported_once()
    {
        _ = Session.Execute("exit 1");
        Assert.Single(await Session.WaitForTasksAsync(raiseIfError: false));
        Assert.Empty(await Session.WaitForTasksAsync(raiseIfError: false));
    }

    [Fact]
    public async Task Silent_errors_of_tasks_nobody_waited_are_reported_by_the_next_wait()
    {
        var task = Session.Execute("exit 5");
        await task.Completion;
        Assert.Empty(Session.Tasks);
        var error = Assert.Single(await Session.WaitForTasksAsync(raiseIfError: false));
        Assert.Same(task.Error, error);
    }

    [Fact]
    public async Task A_task_waited_explicitly_is_not_reported_again()
    {
        var task = Session.Execute("exit 1");
        await Assert.ThrowsAsync<ExitCodeException>(() => task.WaitAsync());
        Assert.Empty(await Session.WaitForTasksAsync(raiseIfError: false));
    }

    [Fact]
    public async Task A_handled_error_is_never_reported()
    {
        CommandTask? seen = null;
        var task = Session.Execute("exit 1", new CommandOptions { OnDone = t => seen = t });
        Assert.True(task.ErrorHandled);
        Assert.Empty(await Session.WaitForTasksAsync());
        Assert.Same(task, seen);
        Assert.IsType<ExitCodeException>(task.Error);
    }

    [Fact]
    public async Task An_exception_thrown_by_on_done_is_reported_by_the_next_wait()
    {
        var task = Session.Execute("exit 0", new CommandOptions { OnDone = _ => throw new InvalidOperationException("on-done broke") });
        await task.Completion;
        Assert.False(task.ErrorHandled);
        var error = Assert.IsType<TaskException>(Assert.Single(await Session.WaitForTasksAsync(raiseIfError: false)));
        Assert.Same(task.Error, error);
        Assert.Contains("on-done callback threw InvalidOperationException: on-done broke", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public async Task An_exception_thrown_by_on_done_after_a_failure_is_reported_too()
    {
        _ = Session.Execute("exit 3", new CommandOptions { OnDone = _ => throw new InvalidOperationException("on-done broke") });
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Session.WaitForTasksAsync());
        Assert.Contains("on-done broke", Assert.Single(errors.Errors).Message);
    }

    [Fact]
    public async Task An_exception_thrown_by_a_background_on_done_is_reported_by_the_next_wait()
    {
        var task = Session.StartBackground("work", (_, _) => Task.CompletedTask, _ => throw new InvalidOperationException("on-done broke"));
        await task.Completion;
        var error = Assert.IsType<TaskException>(Assert.Single(await Session.WaitForTasksAsync(raiseIfError: false)));
        Assert.Contains("on-done broke", error.Message);
    }

    [Fact]
    public async Task Timed_out_task_is_unregistered_and_reported_as_timeout()
    {
        _ = Session.Execute("sleep 30", new CommandOptions { Timeout = TimeSpan.FromMilliseconds(200) });
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Session.WaitForTasksAsync());
        Assert.IsType<TaskTimeoutException>(Assert.Single(errors.Errors));
        Assert.Empty(Session.Tasks);
    }

    [Fact]
    public async Task Tasks_started_from_callbacks_are_waited_too()
    {
        var order = new List<string>();
        _ = Session.Execute("sleep 0.1", new CommandOptions
        {
            OnFinished = t => t.Session.Execute("sleep 0.2; exit 4", new CommandOptions
            {
                ExpectedExitCode = 0,
                OnFinished = _ => order.Add("second finished"),
            }),
        });
        var errors = await Session.WaitForTasksAsync(raiseIfError: false);
        Assert.Equal(["second finished"], order);
        Assert.IsType<ExitCodeException>(Assert.Single(errors));
        Assert.Empty(Session.Tasks);
    }

    [Fact]
    public async Task Stress_a_task_started_from_on_finished_is_never_missed()
    {
        for (var i = 0; i < 500; i++)
        {
            CommandTask? child = null;
            _ = Session.Execute("true", new CommandOptions
            {
                OnFinished = t => child = t.Session.Execute("exit 7"),
            });
            var errors = await Session.WaitForTasksAsync(raiseIfError: false);
            Assert.True(errors.Count == 1, $"iteration {i}: {errors.Count} errors");
            Assert.NotNull(child);
            Assert.False(child.IsRunning, $"iteration {i}: child still running after wait");
        }
    }

    [Fact]
    public async Task Background_task_success_is_registered_and_waited()
    {
        var release = new TaskCompletionSource();
        var task = Session.StartBackground("work", async (_, ct) => await release.Task.WaitAsync(ct));
        Assert.Contains(task, Session.Tasks);
        Assert.True(task.IsRunning);
        var wait = Session.WaitForTasksAsync();
        Assert.False(wait.IsCompleted);
        release.SetResult();
        Assert.Empty(await wait);
        Assert.Null(task.Error);
        Assert.False(task.IsRunning);
    }

    [Fact]
    public async Task Background_task_exception_becomes_a_task_error()
    {
        var task = Session.StartBackground("explode", (_, _) => throw new InvalidOperationException("kaboom"));
        var error = await Assert.ThrowsAsync<TaskException>(() => task.WaitAsync());
        Assert.Contains("kaboom", error.Message);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Empty(await Session.WaitForTasksAsync());
    }

    [Fact]
    public async Task Background_task_error_reaches_wait_for_tasks()
    {
        Session.StartBackground("explode", async (_, _) =>
        {
            await Task.Yield();
            throw new IOException("disk on fire");
        });
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => Session.WaitForTasksAsync());
        Assert.Contains("disk on fire", Assert.Single(errors.Errors).Message);
    }

    [Fact]
    public async Task Background_task_with_on_done_is_handled()
    {
        BackgroundTask? done = null;
        var task = Session.StartBackground("explode", (_, _) => throw new InvalidOperationException("x"), t => done = t);
        Assert.Empty(await Session.WaitForTasksAsync());
        Assert.Same(task, done);
        Assert.NotNull(task.Error);
    }

    [Fact]
    public async Task Wait_can_be_cancelled()
    {
        _ = Session.Execute("sleep 30", new CommandOptions { Timeout = TimeSpan.FromSeconds(20) });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Session.WaitForTasksAsync(cancellationToken: cts.Token));
    }
}
