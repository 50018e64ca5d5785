"""The config group 'model', converted from model/*.yaml by `lazycfg migrate`."""

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

from lazycfg import factory, store


@factory
def forest():
    return RandomForestClassifier(
        # a random forest, as in the founding essay
        n_estimators=3000,
        random_state="${seed}",
    )


store(forest, name="forest", group="model")


@factory
def logreg():
    return LogisticRegression(C=10)


store(logreg, name="logreg", group="model")
