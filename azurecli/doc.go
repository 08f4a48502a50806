// Package azurecli gets tokens from the developer's Azure CLI session.
package azurecli
