/**
 * QueueBudget: the shared bound on all sessions' queued bytes. A session that paused is woken
 * once the total falls under half the limit, if its own queue lets it; one that cannot resume
 * yet stays registered and is offered again; a closed one is forgotten.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BudgetedQueue, QueueBudget } from '../../src/collector/queue-budget.js';

/** A stand-in session: resumes when its own backlog allows. */
class FakeQueue implements BudgetedQueue {
  resumed = 0;
  constructor(public ownRoom: boolean) {}
  resumeFromBudget(): boolean {
    if (!this.ownRoom) return false;
    this.resumed++;
    return true;
  }
}

test('paused sessions are woken once the total is under half the limit, each once', () => {
  const budget = new QueueBudget(1000);
  const a = new FakeQueue(true);
  const b = new FakeQueue(false);
  budget.add(600);
  assert.equal(budget.over, false);
  budget.add(600);
  assert.equal(budget.over, true);
  budget.register(a);
  budget.register(b);
  budget.remove(500); // 700: over half, nobody woken
  assert.equal(a.resumed, 0);
  budget.remove(300); // 400: under half
  assert.equal(a.resumed, 1);
  assert.equal(b.resumed, 0, 'b cannot resume yet: its own queue is full');
  b.ownRoom = true;
  budget.remove(100); // still roomy: b is offered again, a is not (already resumed)
  assert.equal(b.resumed, 1);
  assert.equal(a.resumed, 1);
  budget.remove(0);
  assert.equal(b.resumed, 1, 'woken once');
  assert.equal(budget.bytes, 300);
});

test('a session that closes while paused is forgotten', () => {
  const budget = new QueueBudget(100);
  const q = new FakeQueue(true);
  budget.add(200);
  budget.register(q);
  budget.unregister(q);
  budget.remove(200);
  assert.equal(q.resumed, 0);
  assert.equal(budget.roomy, true);
});
