using RControl.Tests.Support;

namespace RControl.Tests.Core;

public sealed class SessionManagerTests : IAsyncLifetime
{
    private readonly Engine _engine = new();

    private RControlSystem System => _engine.System;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public void Keyed_access_and_clear_errors()
    {
        var manager = System.CreateSessionManager();
        var a = System.CreateLocalSession("a");
        manager["a"] = a;
        Assert.Same(a, manager["a"]);
        Assert.Same(a, manager.Get<LocalSession>("a"));
        Assert.True(manager.Contains("a"));
        Assert.Equal(["a"], manager.Names);

        var unknown = Assert.Throws<UnknownSessionException>(() => manager["b"]);
        Assert.Contains("unknown session 'b'", unknown.Message);
        Assert.Contains("a", unknown.Message);
        Assert.Throws<ArgumentException>(() => manager[""] = a);
        Assert.Throws<ArgumentNullException>(() => manager["c"] = null!);
        Assert.Throws<ArgumentException>(() => manager.Add(a));
        Assert.True(manager.Remove("a"));
        Assert.Empty(manager.Names);
    }

    [Fact]
    public void Typed_access_checks_the_session_type()
    {
        var manager = System.CreateSessionManager();
        manager.Add(System.CreateLocalSession("a"));
        var error = Assert.Throws<SessionException>(() => manager.Get<OtherSession>("a"));
        Assert.Contains("is a LocalSession, not a OtherSession", error.Message);
    }

    [Fact]
    public async Task Wait_across_sessions_collects_every_error()
    {
        var manager = System.CreateSessionManager();
        manager["a"] = System.CreateLocalSession("a");
        manager["b"] = System.CreateLocalSession("b");
        _ = manager["a"].Execute("exit 1");
        _ = manager["b"].Execute("sleep 0.2; exit 2");
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => manager.WaitForTasksAsync());
        Assert.Equal(2, errors.Errors.Count);
        Assert.Equal(["a", "b"], errors.Errors.Cast<TaskException>().Select(e => e.Session.Name).Order());
        await manager.CloseAsync();
        Assert.True(manager["a"].IsClosed && manager["b"].IsClosed);
    }

    [Fact]
    public async Task Wait_sees_tasks_a_callback_of_one_session_starts_on_another()
    {
        var manager = System.CreateSessionManager();
        manager["a"] = System.CreateLocalSession("a");
        manager["b"] = System.CreateLocalSession("b");
        for (var i = 0; i < 50; i++)
        {
            CommandTask? onB = null;
            _ = manager["b"].Execute("true");
            _ = manager["a"].Execute("sleep 0.01", new CommandOptions
            {
                OnFinished = _ => onB = manager["b"].Execute("sleep 0.05; exit 3"),
            });
            var errors = await manager.WaitForTasksAsync(raiseIfError: false);
            Assert.True(errors.Count == 1, $"iteration {i}: {errors.Count} errors");
            Assert.False(onB!.IsRunning);
        }
    }

    [Fact]
    public async Task Manager_scope_waits_closes_and_raises()
    {
        var manager = System.CreateSessionManager();
        manager["a"] = System.CreateLocalSession("a");
        var errors = await Assert.ThrowsAsync<TaskErrorsException>(() => manager.RunScopedAsync(m =>
        {
            m["a"].Execute("exit 9");
            return Task.CompletedTask;
        }));
        Assert.Single(errors.Errors);
        Assert.True(manager["a"].IsClosed);
    }

    [Fact]
    public async Task Manager_scope_closes_only_the_sessions_with_auto_close()
    {
        var manager = System.CreateSessionManager();
        manager["closing"] = System.CreateLocalSession("closing");
        manager["kept"] = System.CreateLocalSession("kept");
        manager["kept"].AutoClose = false;
        await manager.RunScopedAsync(m =>
        {
            m["closing"].Execute("true");
            m["kept"].Execute("true");
            return Task.CompletedTask;
        });
        Assert.True(manager["closing"].IsClosed);
        Assert.False(manager["kept"].IsClosed);
        Assert.Equal(0, await manager["kept"].Execute("true").WaitAsync());
    }

    [Fact]
    public async Task Manager_scope_without_auto_close_closes_nothing()
    {
        var manager = System.CreateSessionManager();
        manager.AutoClose = false;
        manager["a"] = System.CreateLocalSession("a");
        await manager.RunScopedAsync(m =>
        {
            m["a"].Execute("true");
            return Task.CompletedTask;
        });
        Assert.False(manager["a"].IsClosed);
    }

    [Fact]
    public async Task Manager_scope_lets_the_body_exception_through()
    {
        var manager = System.CreateSessionManager();
        manager["a"] = System.CreateLocalSession("a");
        await Assert.ThrowsAsync<TimeoutException>(() => manager.RunScopedAsync(m =>
        {
            m["a"].Execute("exit 9");
            throw new TimeoutException("body");
        }));
        Assert.True(manager["a"].IsClosed);
    }

    private abstract class OtherSession : Session
    {
        private OtherSession()
            : base(null!, "x", null!)
        {
        }
    }
}
